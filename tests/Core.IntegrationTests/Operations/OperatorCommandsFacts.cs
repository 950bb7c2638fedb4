using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Operations;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Ticks;
using BatchOrchestrator.Core.Uploads;
using BatchOrchestrator.Sandbox;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Core.IntegrationTests.Operations;

/// <summary>Operator commands against a real database and the Sandbox, with batches slow enough to be caught running.</summary>
public sealed class OperatorCommandsFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private PipelineHarness harness = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => harness = await PipelineHarness.CreateAsync(
        server, sandboxOptions: new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(300), FilesMappedPerStep = 1 });

    public ValueTask DisposeAsync() => harness.DisposeAsync();

    [Fact]
    public async Task CancelBatchAsync_EndsABatchNotYetSubmitted_WithoutCreatingAnythingRemotely()
    {
        harness.WriteFiles(3);
        var batchId = await PlanOneBatchAsync();

        var outcome = await Commands.CancelBatchAsync(batchId, Ct);
        await harness.Get<BatchUploader>().UploadAsync(batchId, Ct);

        Assert.Equal(CancelOutcome.CancelledLocally, outcome);
        Assert.Equal(3L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Skipped'"));
        Assert.Equal("Completed", await harness.Database.ScalarAsync<string>("select state from orchestrator.run"));
        Assert.Equal(0, (await harness.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task CancelBatchAsync_WhileItsStepHoldsTheBatch_StopsTheStepBeforeItSubmits()
    {
        harness.WriteFiles(2);
        var batchId = await PlanOneBatchAsync();
        await harness.Get<BatchUploader>().UploadAsync(batchId, Ct);

        CancelOutcome outcome;
        await using (await harness.Get<LeaseManager>().TryHoldAsync(BatchLease.Name(batchId), Ct))
        {
            outcome = await Commands.CancelBatchAsync(batchId, Ct);
        }

        await harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        Assert.Equal(CancelOutcome.CancelRequested, outcome);
        Assert.Equal(0, (await harness.Admin.CountersAsync()).BatchCreatesTotal);
        Assert.Equal("Cancelled", await harness.Database.ScalarAsync<string>("select remote_status from orchestrator.batch where id = $1", batchId));
    }

    [Fact]
    public async Task CancelRunAsync_CancelsItsSubmittedBatchAtLlamaCloud_AndTheRecordKeepsFinishedFiles()
    {
        harness.WriteFiles(20);
        var batchId = await PlanOneBatchAsync();
        await harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        var runId = await harness.Database.ScalarAsync<long>("select run_id from orchestrator.batch where id = $1", batchId);

        var outcomes = await Commands.CancelRunAsync(runId, Ct);
        await Eventually.WaitAsync(
            async () =>
            {
                await harness.Get<PollTick>().RunAsync(Ct);
                return harness.Scheduler.BatchIds("record").Contains(batchId);
            },
            TimeSpan.FromSeconds(20),
            "the poller to see the batch end");
        await harness.Get<BatchResultRecorder>().RecordAsync(batchId, Ct);

        Assert.Equal(CancelOutcome.CancelSentToApi, outcomes[batchId]);
        Assert.Equal("Cancelled", await harness.Database.ScalarAsync<string>("select remote_status from orchestrator.batch where id = $1", batchId));
        var skipped = await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Skipped'");
        var succeeded = await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'");
        Assert.True(skipped > 0, "a cancelled batch leaves unprocessed files skipped");
        Assert.Equal(20, skipped + succeeded);
        Assert.Equal(CancelOutcome.AlreadyEnded, await Commands.CancelBatchAsync(batchId, Ct));
    }

    [Fact]
    public async Task RetryFailedAsync_QueuesFailedFilesAgain_AndStartsARun()
    {
        harness.WriteFiles(2);
        await PlanOneBatchAsync();
        await harness.Database.ExecuteAsync("update orchestrator.file_version set state = 'Failed', error_message = 'boom', batch_id = null");

        var requeued = await Commands.RetryFailedAsync(PipelineHarness.SourceName, Ct);

        Assert.Equal(2, requeued);
        Assert.Equal(2L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Discovered' and error_message is null"));
        Assert.Contains(("run", $"{PipelineHarness.SourceName}:{RunTrigger.Manual}"), harness.Scheduler.Calls);
    }

    [Fact]
    public void StartRun_RefusesAnUnknownSource_NamingTheConfiguredOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => Commands.StartRun("nope"));

        Assert.Contains("Configured sources: docs", error.Message, StringComparison.Ordinal);
    }

    private OperatorCommands Commands => harness.Get<OperatorCommands>();

    private async Task<long> PlanOneBatchAsync()
    {
        await harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        return harness.Scheduler.BatchIds("upload").Single();
    }
}
