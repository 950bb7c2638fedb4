using BatchOrchestrator.Core.Leases;

namespace BatchOrchestrator.Core.IntegrationTests.Operations;

/// <summary>Operator commands against a real database and the Sandbox, with batches slow enough to be caught running.</summary>
public sealed class OperatorCommandsFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server, sandboxOptions: new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(300), FilesMappedPerStep = 1 });

    [Fact]
    public async Task CancelBatchAsync_EndsABatchNotYetSubmitted_WithoutCreatingAnythingRemotely()
    {
        Harness.WriteFiles(3);
        var batchId = await Harness.PlanOneBatchAsync(Ct);

        var outcome = await Commands.CancelBatchAsync(batchId, Ct);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);

        Assert.Equal(CancelOutcome.CancelledLocally, outcome);
        Assert.Equal(3L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Skipped'"));
        Assert.Equal("Completed", await Harness.Database.ScalarAsync<string>("select state from orchestrator.run"));
        Assert.Equal(0, (await Harness.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task CancelBatchAsync_WhileItsStepHoldsTheBatch_StopsTheStepBeforeItSubmits()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);

        CancelOutcome outcome;
        await using (await Harness.Get<LeaseManager>().TryHoldAsync(BatchLease.Name(batchId), Ct))
        {
            outcome = await Commands.CancelBatchAsync(batchId, Ct);
        }

        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        Assert.Equal(CancelOutcome.CancelRequested, outcome);
        Assert.Equal(0, (await Harness.Admin.CountersAsync()).BatchCreatesTotal);
        Assert.Equal("Cancelled", await Harness.Database.ScalarAsync<string>("select remote_status from orchestrator.batch where id = $1", batchId));
    }

    [Fact]
    public async Task CancelRunAsync_CancelsItsSubmittedBatchAtLlamaCloud_AndTheRecordKeepsFinishedFiles()
    {
        Harness.WriteFiles(20);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        var runId = await Harness.Database.ScalarAsync<long>("select run_id from orchestrator.batch where id = $1", batchId);

        var outcomes = (await Commands.CancelRunAsync(runId, Ct)).Batches;
        await Eventually.WaitAsync(
            async () =>
            {
                await Harness.Get<PollTick>().RunAsync(Ct);
                return Harness.Scheduler.BatchIds("record").Contains(batchId);
            },
            TimeSpan.FromSeconds(20),
            "the poller to see the batch end");
        await Harness.Get<BatchResultRecorder>().RecordAsync(batchId, Ct);

        Assert.Equal(CancelOutcome.CancelSentToApi, outcomes[batchId]);
        Assert.Equal("Cancelled", await Harness.Database.ScalarAsync<string>("select remote_status from orchestrator.batch where id = $1", batchId));
        var skipped = await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Skipped'");
        var succeeded = await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'");
        Assert.True(skipped > 0, "a cancelled batch leaves unprocessed files skipped");
        Assert.Equal(20, skipped + succeeded);
        Assert.Equal(CancelOutcome.AlreadyEnded, await Commands.CancelBatchAsync(batchId, Ct));
    }

    [Fact]
    public async Task RetryFailedAsync_WithNoFailedFile_ButFilesABatchSentBack_StartsARunForThemNow()
    {
        // A batch that failed as a whole sent its files back to the queue: they wait for the retry run, not failed.
        Harness.WriteFiles(2);
        await Harness.PlanOneBatchAsync(Ct);
        await Harness.Database.ExecuteAsync("update orchestrator.file_version set state = 'Discovered', error_class = 'Transient', process_attempts = 1, batch_id = null");

        var outcome = await Commands.RetryFailedAsync(PipelineHarness.SourceName, Ct);

        Assert.Equal(new RetryOutcome(0, 2), outcome);
        Assert.Contains(("run", $"{PipelineHarness.SourceName}:{RunTrigger.Manual}"), Harness.Scheduler.Calls);
        Assert.StartsWith("No failed file of docs to queue again, but 2 files a batch sent back wait in the queue", OperatorCommands.DescribeRetry("docs", outcome, ForcedRetry.None), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetryFailedAsync_QueuesFailedFilesAgain_AndStartsARun()
    {
        Harness.WriteFiles(2);
        await Harness.PlanOneBatchAsync(Ct);
        await Harness.Database.ExecuteAsync("update orchestrator.file_version set state = 'Failed', error_message = 'boom', batch_id = null");

        var requeued = await Commands.RetryFailedAsync(PipelineHarness.SourceName, Ct);

        Assert.Equal(2, requeued.Requeued);
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Discovered' and error_message is null"));
        Assert.Contains(("run", $"{PipelineHarness.SourceName}:{RunTrigger.Manual}"), Harness.Scheduler.Calls);
    }

    [Fact]
    public async Task RetryFailedAsync_AskedAgainBeforeItsRunStarts_QueuesNoSecondRun_AndSaysTheFilesWaitForTheFirst()
    {
        Harness.WriteFiles(2);
        await Harness.PlanOneBatchAsync(Ct);
        await Harness.Database.ExecuteAsync("update orchestrator.file_version set state = 'Failed', error_message = 'boom', process_attempts = 1, batch_id = null");
        Assert.Equal(2, (await Commands.RetryFailedAsync(PipelineHarness.SourceName, Ct)).Requeued);

        // The files the first retry queued wait for the run it queued: a second run would find nothing the first does not.
        var again = await Commands.RetryFailedAsync(PipelineHarness.SourceName, Ct);

        Assert.Single(Harness.Scheduler.Calls, c => c == ("run", $"{PipelineHarness.SourceName}:{RunTrigger.Manual}"));
        Assert.Equal(
            "No failed file of docs to queue again: its 2 files waiting in the queue are for the run of docs already queued, which has not started yet; no other run was queued.",
            OperatorCommands.DescribeRetry("docs", again, ForcedRetry.None));

        // Once a run has started, files a batch sends back again are for a new run to take.
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        await Harness.Database.ExecuteAsync("update orchestrator.file_version set state = 'Discovered', error_class = 'Transient', batch_id = null");
        Assert.Equal(new RetryOutcome(0, 2), await Commands.RetryFailedAsync(PipelineHarness.SourceName, Ct));
        Assert.Equal(2, Harness.Scheduler.Calls.Count(c => c == ("run", $"{PipelineHarness.SourceName}:{RunTrigger.Manual}")));
    }

    [Fact]
    public async Task RetryFailedAsync_AfterARunARetryQueuedLongAgoNeverStarted_QueuesARun()
    {
        // The run a retry queued was skipped (the source edited since, or not configured on the instance that took it) or
        // its job was lost: no run row ever follows the mark, which must not answer "already queued" for ever.
        Harness.WriteFiles(2);
        await Harness.PlanOneBatchAsync(Ct);
        await Harness.Database.ExecuteAsync("update orchestrator.file_version set state = 'Failed', error_message = 'boom', process_attempts = 1, batch_id = null");
        // The run that planned the batch started two hours ago; a retry queued a run an hour ago; none started since.
        await Harness.Database.ExecuteAsync("update orchestrator.run set started_at = now() - interval '2 hours'");
        await Harness.Database.ExecuteAsync("""
            insert into orchestrator.source (name, retry_run_queued_at) values ('docs', now() - interval '1 hour')
            on conflict (name) do update set retry_run_queued_at = excluded.retry_run_queued_at
            """);

        var outcome = await Commands.RetryFailedAsync(PipelineHarness.SourceName, Ct);

        Assert.Equal(new RetryOutcome(2, 0), outcome);
        Assert.Contains(("run", $"{PipelineHarness.SourceName}:{RunTrigger.Manual}"), Harness.Scheduler.Calls);
    }

    [Fact]
    public async Task RetryFailedAsync_WhoseRunCouldNotBeQueued_LeavesNoMark_SoTheNextRetryQueuesOne()
    {
        Harness.WriteFiles(2);
        await Harness.PlanOneBatchAsync(Ct);
        await Harness.Database.ExecuteAsync("update orchestrator.file_version set state = 'Failed', error_message = 'boom', process_attempts = 1, batch_id = null");
        void Refuse(string step, string argument) => throw new InvalidOperationException("the job store is down");
        Harness.Scheduler.Recorded += Refuse;
        await Assert.ThrowsAsync<InvalidOperationException>(() => Commands.RetryFailedAsync(PipelineHarness.SourceName, Ct));
        Harness.Scheduler.Recorded -= Refuse;

        var again = await Commands.RetryFailedAsync(PipelineHarness.SourceName, Ct);

        Assert.False(again.RunAlreadyQueued);
        Assert.Equal(2, Harness.Scheduler.Calls.Count(c => c == ("run", $"{PipelineHarness.SourceName}:{RunTrigger.Manual}")));
    }

    [Fact]
    public void StartRun_RefusesAnUnknownSource_NamingTheConfiguredOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => Commands.StartRun("nope"));

        Assert.Contains("Configured sources: docs", error.Message, StringComparison.Ordinal);
    }

    private OperatorCommands Commands => Harness.Get<OperatorCommands>();

}
