using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Persistence.Runs;

/// <summary>
/// How a run a dead process left Scanning ends, in the two statements that find one (the source's next run, the watchdog):
/// failed when its planning committed no batch, Active while one it did commit is open, completed when all have ended.
/// </summary>
internal static class InterruptedRunEnd
{
    /// <summary>The SET clause for the run aliased <paramref name="run"/>, reading the four parameters from <paramref name="first"/> on.</summary>
    public static string Set(string run, int first)
    {
        var open = $"exists (select 1 from orchestrator.batch b where b.run_id = {run}.id and b.state <> all(${first + 3}))";
        return $"""
            state = case when not exists (select 1 from orchestrator.batch b where b.run_id = {run}.id) then ${first}
                         when {open} then ${first + 1} else ${first + 2} end,
            finished_at = case when {open} then null else now() end
            """;
    }

    /// <summary>The four parameters <see cref="Set"/> reads, in its order.</summary>
    public static NpgsqlParameter[] Parameters() =>
    [
        RunLifecycle.Fail.TargetState(),
        RunLifecycle.InterruptAfterPlanning.TargetState(),
        RunLifecycle.FinishScanAfterItsBatches.TargetState(),
        StateParameters.Names(BatchLifecycle.Ended),
    ];
}
