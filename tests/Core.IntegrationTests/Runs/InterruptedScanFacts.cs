using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Core.Watchdog;

namespace BatchOrchestrator.Core.IntegrationTests.Runs;

/// <summary>
/// A process killed mid-scan (kill -9, the OOM killer, a power cut) records nothing: its run row stays Scanning. The next
/// run of the source holds the source's lease, so no scan of it is alive anywhere: it records the dead one as failed (Active
/// while batches its planning committed go on), or the Runs page, 'status' and batchorchestrator_runs_active{state="Scanning"} would show it in progress for ever.
/// </summary>
public sealed class InterruptedScanFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task ARunLeftScanningByAKilledProcess_IsRecordedAsFailed_ByTheSourcesNextRun()
    {
        Harness.WriteFiles(1);
        var dead = await Harness.Database.ScalarAsync<long>(
            """
            with s as (insert into orchestrator.source (name) values ($1) on conflict do nothing)
            insert into orchestrator.run (source_name, trigger, state, started_at) values ($1, 'Schedule', 'Scanning', now() - interval '1 hour') returning id
            """,
            PipelineHarness.SourceName);
        var other = await Harness.Database.ScalarAsync<long>(
            """
            with s as (insert into orchestrator.source (name) values ('other') on conflict do nothing)
            insert into orchestrator.run (source_name, trigger, state, started_at) values ('other', 'Schedule', 'Scanning', now()) returning id
            """);

        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);

        var (state, error, finished) = (await Harness.Database.ListAsync(
            "select state, error, finished_at is not null from orchestrator.run where id = $1", r => (r.GetString(0), r.GetString(1), r.GetBoolean(2)), dead)).Single();
        Assert.Equal(("Failed", true), (state, finished));
        Assert.StartsWith("interrupted: the process scanning it ended", error, StringComparison.Ordinal);
        Assert.Equal("Scanning", await Harness.Database.ScalarAsync<string>("select state from orchestrator.run where id = $1", other)); // another source's: its lease is not ours
        Assert.Equal("Active", await Harness.Database.ScalarAsync<string>("select state from orchestrator.run where id > $1 and source_name = $2", other, PipelineHarness.SourceName));
        var warning = Assert.Single(Harness.Logs.Lines, l => l.Contains("interrupted", StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Contains($"Run {dead} of {PipelineHarness.SourceName}", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunLeftScanningWhoseSourceNoRunWillFollow_IsRecordedAsFailed_ByTheWatchdog_WhileALiveScanIsLeftAlone()
    {
        // A source taken out of the configuration runs no more, so no next run of it can fail what a killed scan left.
        var orphan = await InsertScanningRunAsync("removed");
        var live = await InsertScanningRunAsync("scanning-now");
        await Harness.Database.ExecuteAsync(
            "insert into orchestrator.lease (name, owner, fencing_token, expires_at) values ($1, 'another instance', 1, now() + interval '2 minutes')",
            SourceLease.Name("scanning-now"));

        await Harness.Get<StuckWatchdog>().CheckAsync(Ct);

        Assert.Equal("Failed", await Harness.Database.ScalarAsync<string>("select state from orchestrator.run where id = $1", orphan));
        Assert.StartsWith("interrupted: the process scanning it ended", await Harness.Database.ScalarAsync<string>("select error from orchestrator.run where id = $1", orphan), StringComparison.Ordinal);
        Assert.Equal("Scanning", await Harness.Database.ScalarAsync<string>("select state from orchestrator.run where id = $1", live)); // its lease is held
        var warning = Assert.Single(Harness.Logs.Lines, l => l.Contains("interrupted", StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Contains($"Run {orphan} of removed", warning, StringComparison.Ordinal);

        await Harness.Get<StuckWatchdog>().CheckAsync(Ct);
        Assert.Single(Harness.Logs.Lines, l => l.Contains("interrupted", StringComparison.Ordinal)); // once, however often it looks
    }

    [Fact]
    public async Task ARunWhoseProcessDiedAfterItsPlanningCommitted_IsActiveWhileItsBatchesGoOn_AndCompletesWithThem()
    {
        // Its batches upload and bill under it: Failed with no counts, it hid them, and no end of theirs could complete it.
        Harness.WriteFiles(2);
        var source = Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Require(PipelineHarness.SourceName);
        var runId = await Harness.Get<IRunStore>().StartRunAsync(source.Name, RunTrigger.Manual, Ct);
        var summary = await Harness.Get<SourceScanner>().ScanAsync(source, Ct);
        var planned = await Harness.Get<BatchOrchestrator.Core.Planning.BatchPlanner>().PlanAsync(runId, source, summary.NewVersions > 0, Ct);

        await Harness.Get<StuckWatchdog>().CheckAsync(Ct); // the process is gone before its FinishScan; nobody holds the source's lease

        Assert.Equal("Active", await Harness.Database.ScalarAsync<string>("select state from orchestrator.run where id = $1", runId));
        var warning = Assert.Single(Harness.Logs.Lines, l => l.Contains("interrupted", StringComparison.Ordinal));
        Assert.Contains("its planning had committed batches, which go on under it: it stays Active until they end", warning, StringComparison.Ordinal);
        foreach (var batchId in planned.BatchIds)
        {
            await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
            await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        }

        await Harness.RecordAllAsync(planned.BatchIds, Ct);
        Assert.Equal("Completed", await Harness.Database.ScalarAsync<string>("select state from orchestrator.run where id = $1", runId));
    }

    private Task<long> InsertScanningRunAsync(string source) => Harness.Database.ScalarAsync<long>(
        """
        with s as (insert into orchestrator.source (name) values ($1) on conflict do nothing)
        insert into orchestrator.run (source_name, trigger, state, started_at) values ($1, 'Schedule', 'Scanning', now() - interval '1 hour') returning id
        """,
        source);
}
