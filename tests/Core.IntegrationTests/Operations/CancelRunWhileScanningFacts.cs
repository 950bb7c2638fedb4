using Npgsql;
using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.IntegrationTests.Operations;

/// <summary>
/// An operator's cancel of a run that is still scanning: it has planned no batch yet, or is planning them as the cancel
/// comes. The batches it plans are cancelled as they are born, never sent or billed (docs/operations.md, "Command line").
/// </summary>
public sealed class CancelRunWhileScanningFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task CancelRunAsync_BeforeTheRunPlans_EndsTheBatchesItPlansLater_WithoutUploadingOrBillingAnything()
    {
        Harness.WriteFiles(3);
        var source = Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Require(PipelineHarness.SourceName);
        var runs = Harness.Get<IRunStore>();
        // The run's own steps, with the cancel landing between its scan and its planning.
        var runId = await runs.StartRunAsync(source.Name, RunTrigger.Manual, Ct);
        var summary = await Harness.Get<SourceScanner>().ScanAsync(source, Ct);

        var cancelled = await Commands.CancelRunAsync(runId, Ct);
        var planned = await Harness.Get<BatchPlanner>().PlanAsync(runId, source, summary.NewVersions > 0, Ct);
        await runs.FinishScanAsync(runId, summary, planned.BatchIds.Count, Ct);
        foreach (var batchId in planned.BatchIds)
        {
            await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        }

        Assert.True(cancelled.StillScanning);
        Assert.Empty(cancelled.Batches);
        Assert.NotEmpty(planned.BatchIds);
        Assert.Equal(0, (await Harness.Admin.CountersAsync()).UploadsTotal);
        Assert.Equal(3L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Skipped'"));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge where settled_at is null"));
        Assert.Equal("Completed", await Harness.Database.ScalarAsync<string>("select state from orchestrator.run where id = $1", runId));
    }

    [Fact]
    public async Task ARunWhoseCancelledBatchesAllEndedBeforeItsScanFinished_IsCompleted_NotActiveForEver()
    {
        // Another worker's upload job ended each batch as it was born; their ends found the run still Scanning.
        Harness.WriteFiles(2);
        var source = Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Require(PipelineHarness.SourceName);
        var runs = Harness.Get<IRunStore>();
        var runId = await runs.StartRunAsync(source.Name, RunTrigger.Manual, Ct);
        var summary = await Harness.Get<SourceScanner>().ScanAsync(source, Ct);
        await Commands.CancelRunAsync(runId, Ct);
        var planned = await Harness.Get<BatchPlanner>().PlanAsync(runId, source, summary.NewVersions > 0, Ct);
        foreach (var batchId in planned.BatchIds)
        {
            await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        }

        await runs.FinishScanAsync(runId, summary, planned.BatchIds.Count, Ct);

        Assert.NotEmpty(planned.BatchIds);
        Assert.Equal(("Completed", true), (await Harness.Database.ListAsync(
            "select state, finished_at is not null from orchestrator.run where id = $1", r => (r.GetString(0), r.GetBoolean(1)), runId)).Single());
    }

    [Fact]
    public async Task CancelRunAsync_WhilePlanningIsUnderWay_WaitsForItsBatches_AndCancelsThem()
    {
        Harness.WriteFiles(2);
        var source = Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Require(PipelineHarness.SourceName);
        var runId = await Harness.Get<IRunStore>().StartRunAsync(source.Name, RunTrigger.Manual, Ct);
        // A planning transaction that has inserted its batch and not committed yet.
        await using var planning = await Harness.Database.DataSource.OpenConnectionAsync(Ct);
        await using var transaction = await planning.BeginTransactionAsync(Ct);
        long batchId;
        await using (var insert = new NpgsqlCommand("""
            insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, file_count)
            values ($1, $2, 'Planned', 'parse_v2', 'c', 'd', 0) returning id
            """, planning, transaction))
        {
            insert.Parameters.AddWithValue(runId);
            insert.Parameters.AddWithValue(source.Name);
            batchId = (long)(await insert.ExecuteScalarAsync(Ct))!;
        }

        var cancel = Commands.CancelRunAsync(runId, Ct);
        await Eventually.WaitAsync(
            async () => cancel.IsCompleted || await Harness.Database.ScalarAsync<long>(
                "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%update orchestrator.run set cancel_requested_at%'") > 0,
            TimeSpan.FromSeconds(20),
            "the cancel to wait for the planning's batches");
        await transaction.CommitAsync(Ct);
        var cancelled = await cancel;

        Assert.True(cancelled.StillScanning);
        Assert.Equal([batchId], cancelled.Batches.Keys);
        Assert.Equal("Cancelled", await Harness.Database.ScalarAsync<string>("select remote_status from orchestrator.batch where id = $1", batchId));
    }

    private OperatorCommands Commands => Harness.Get<OperatorCommands>();
}
