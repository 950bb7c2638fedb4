namespace BatchOrchestrator.Core.IntegrationTests.Operations;

/// <summary>
/// An operator's cancel recorded but never sent (the process killed between the two, the dashboard's request cut off):
/// the poller sends it once the batch is still running a while after, so the batch does not run on and bill the files
/// the operator stopped. The Sandbox moves only when told, so the remote batch is still pending when the poll comes.
/// </summary>
public sealed class CancelLostFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, sandboxOptions: new SandboxOptions { ManualSteps = true });

    [Fact]
    public async Task APoll_CancelsAtLlamaCloud_ABatchStillRunningAMinuteAfterAnOperatorsCancelThatWasNeverSent()
    {
        var batchId = await SubmittedBatchAsync();
        await Harness.Database.ExecuteAsync("update orchestrator.batch set cancel_requested_at = now() - interval '5 minutes' where id = $1", batchId);

        await PollNowAsync(batchId);
        await PollNowAsync(batchId); // LlamaCloud took it; still running while it stops, it is not sent again

        Assert.Equal(1L, await Harness.Admin.CounterAsync("batch_cancels_total"));
        await Harness.Admin.StepAsync(5);
        await Eventually.WaitAsync(
            async () =>
            {
                await PollNowAsync(batchId);
                return Harness.Scheduler.BatchIds("record").Contains(batchId);
            },
            TimeSpan.FromSeconds(20),
            "the poller to see the batch cancelled");
        await Harness.Get<BatchResultRecorder>().RecordAsync(batchId, Ct);
        Assert.Equal("Cancelled", await Harness.Database.ScalarAsync<string>("select remote_status from orchestrator.batch where id = $1", batchId));
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Skipped'"));
    }

    [Fact]
    public async Task APoll_DoesNotSendAgainACancelLlamaCloudTook_ThoughTheBatchStillRunsWhileItStops()
    {
        var batchId = await SubmittedBatchAsync();
        Assert.Equal(CancelOutcome.CancelSentToApi, await Harness.Get<OperatorCommands>().CancelBatchAsync(batchId, Ct));
        await Harness.Database.ExecuteAsync("update orchestrator.batch set cancel_requested_at = now() - interval '5 minutes' where id = $1", batchId);

        await PollNowAsync(batchId);

        Assert.NotEqual("Cancelled", await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batchId));
        Assert.Equal(1L, await Harness.Admin.CounterAsync("batch_cancels_total"));
    }

    [Fact]
    public async Task APoll_LeavesAloneACancelJustAskedFor_WhichTheOperatorsOwnRequestIsSending()
    {
        var batchId = await SubmittedBatchAsync();
        await Harness.Database.ExecuteAsync("update orchestrator.batch set cancel_requested_at = now() where id = $1", batchId);

        await PollNowAsync(batchId);

        Assert.Equal(0L, await Harness.Admin.CounterAsync("batch_cancels_total"));
        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select poll_count from orchestrator.batch where id = $1", batchId));
    }

    private async Task<long> SubmittedBatchAsync()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        return batchId;
    }

    private async Task PollNowAsync(long batchId)
    {
        await Harness.Database.ExecuteAsync("update orchestrator.batch set next_poll_at = now() where id = $1", batchId);
        await Harness.Get<BatchPoller>().PollDueAsync(Ct);
    }
}
