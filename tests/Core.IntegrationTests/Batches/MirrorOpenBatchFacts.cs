using BatchOrchestrator.Core.Pipeline;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A mirror plans its next batch only once the previous one has ended (docs/sources.md, "Remote layouts"): what a run
/// finds meanwhile must not wait for the schedule's next run, which for a nightly source is a day away.
/// </summary>
public sealed class MirrorOpenBatchFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private static readonly TimeSpan RetryRunAfter = new PipelineOptions().RetryRunAfter;

    [Fact]
    public async Task Mirror_AFileAddedWhileItsBatchIsOpen_IsSentByARunScheduledForAfterIt()
    {
        Configure(s => s.Layout = RemoteLayout.Mirror);
        Harness.WriteFile("a.txt", "alpha");
        var first = await Harness.PlanOneBatchAsync(Ct);
        Harness.WriteFile("b.txt", "beta, added while the mirror's batch is open");

        Assert.Empty(await Harness.PlanAsync(Ct));

        // The watcher's events and the settle run are spent: only a run asked for now takes b.txt after the open batch.
        Assert.Contains(("scheduled-run", $"{PipelineHarness.SourceName}:Retry", RetryRunAfter), Harness.Scheduler.Delays);
        await Harness.Get<BatchUploader>().UploadAsync(first, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(first, Ct);
        await Harness.RecordAllAsync([first], Ct);
        var next = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(next, Ct); // the copies already in the mirror join the batch once b.txt is up
        Assert.Equal(
            ["a.txt", "b.txt"],
            await Harness.Database.ListAsync("select relative_path from orchestrator.file_version where batch_id = $1 order by 1", r => r.GetString(0), next));
    }

    [Fact]
    public async Task Mirror_AnOpenBatchWithNothingWaiting_SchedulesNoRun()
    {
        // A run while the batch is open that finds the folder as the batch took it owes nothing: no run every
        // Pipeline:RetryRunAfter for as long as LlamaCloud works on the batch.
        Configure(s => s.Layout = RemoteLayout.Mirror);
        Harness.WriteFile("a.txt", "alpha");
        await Harness.PlanOneBatchAsync(Ct);

        Assert.Empty(await Harness.PlanAsync(Ct));

        Assert.DoesNotContain(Harness.Scheduler.Calls, c => c.Step == "scheduled-run");
    }

    private void Configure(Action<SourceOptions> change) => change(Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0]);
}
