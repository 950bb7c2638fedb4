using System.Runtime.CompilerServices;

namespace BatchOrchestrator.Core.IntegrationTests.Runs;

/// <summary>
/// A run never overlaps another run of the same source, across instances and however long it lasts:
/// two service instances on one database, a run held open for many lease lifetimes on the first while
/// the second keeps trying.
/// </summary>
public sealed class SourceLeaseFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private readonly TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource scanning = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server,
        new Dictionary<string, string?> { ["Leases:TimeToLive"] = "00:00:01" },
        services: services => Gate(services, scanning, gate.Task));

    [Fact]
    public async Task ARunLongerThanTheLeaseTtl_IsNeverOverlappedByAnotherInstance_WhichQueuesARerunInstead()
    {
        Harness.WriteFiles(3);
        var otherScheduler = new RecordingScheduler();
        await using var other = Harness.AnotherInstance(otherScheduler);
        var longRun = Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);
        await scanning.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // Outlive the 1 s TTL several times over: the holder renews its row every third of it.
        var expiries = new HashSet<DateTime>();
        await Eventually.WaitAsync(
            async () =>
            {
                expiries.Add(await Harness.Database.ScalarAsync<DateTime>("select expires_at from orchestrator.lease where name = 'source:docs'"));
                await other.GetRequiredService<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Watch, Ct);
                return expiries.Count;
            },
            n => n >= 8,
            TimeSpan.FromSeconds(30),
            "the held lease to be renewed well past its TTL");

        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.run"));
        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select fencing_token from orchestrator.lease where name = 'source:docs'"));
        Assert.NotNull(await Harness.Database.ScalarAsync<DateTime?>("select rerun_requested_at from orchestrator.source where name = 'docs'"));

        gate.SetResult();
        await longRun;

        Assert.Equal("Active", await Harness.Database.ScalarAsync<string>("select state from orchestrator.run"));
        Assert.Contains(("run", $"{PipelineHarness.SourceName}:{RunTrigger.Rerun}"), Harness.Scheduler.Calls); // the holder picks the request up
        Assert.Empty(otherScheduler.Calls);
    }

    /// <summary>Holds every scan at its first read of stored state until <paramref name="release"/> completes.</summary>
    private static void Gate(IServiceCollection services, TaskCompletionSource entered, Task release) =>
        DelegatingScanStore.Replace(services, (inner, _) => new GatedStore(inner, entered, release));

    private sealed class GatedStore(ISourceScanStore inner, TaskCompletionSource entered, Task release) : DelegatingScanStore(inner)
    {
        public override async IAsyncEnumerable<StoredLook> ReadLooksAsync(string source, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            entered.TrySetResult();
            await release.WaitAsync(cancellationToken);
            await foreach (var look in Inner.ReadLooksAsync(source, cancellationToken))
            {
                yield return look;
            }
        }
    }
}
