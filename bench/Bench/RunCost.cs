using System.Diagnostics;

namespace BatchOrchestrator.Bench;

/// <summary>
/// What one call costs beside its time: database round trips (Npgsql's ActivitySource starts one activity
/// per command or batch sent) and managed bytes allocated by the whole process meanwhile.
/// </summary>
internal sealed record RunCost(int RoundTrips, double AllocatedMb)
{
    public static async Task<RunCost> MeasureAsync(Func<Task> call)
    {
        var roundTrips = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = _ => Interlocked.Increment(ref roundTrips),
        };
        ActivitySource.AddActivityListener(listener);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        await call();
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return new RunCost(roundTrips, bytes / 1024.0 / 1024.0);
    }
}
