using BatchOrchestrator.Core.Leases;

namespace BatchOrchestrator.Core.IntegrationTests.Operations;

/// <summary>
/// An operator's cancel of a batch whose create may already have reached LlamaCloud, though no remote id is recorded:
/// the remote batch is found and cancelled there, never left to run and bill while its reservation is released.
/// The Sandbox moves only when told, so the remote batch is still pending when the cancel comes.
/// </summary>
public sealed class CancelAfterCreateFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, sandboxOptions: new SandboxOptions { ManualSteps = true });

    [Fact]
    public async Task CancelBatchAsync_CancelsTheBatchAnEarlierSubmitCreated_WhenThatSubmitDiedBeforeRecordingIt()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        // The submit step as it runs, up to the POST that created the batch; the process then died before recording it.
        var batch = (await Harness.Get<IBatchStore>().GetAsync(batchId, Ct))!;
        var remote = Harness.Get<RemoteBatches>();
        var preexisting = await remote.ListIdsAsync(batch, Ct);
        await Harness.UnderLeaseAsync(batchId, fence => Harness.Get<IBatchStore>().RecordPreexistingBatchesAsync(batchId, preexisting, fence, Ct), Ct);
        var created = await remote.CreateAsync(batch, [], Ct);

        var outcome = await Commands.CancelBatchAsync(batchId, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct); // the step resumed after the crash

        Assert.Equal(CancelOutcome.CancelRequested, outcome);
        Assert.Equal(created.Id, await Harness.Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch where id = $1", batchId));
        Assert.Equal(1L, await Harness.Admin.CounterAsync("batch_cancels_total"));
        Assert.Equal(1L, (await Harness.Admin.CountersAsync()).BatchCreatesTotal);
        // Still reserved: its jobs may yet be billed, and the record step settles them once LlamaCloud has ended it.
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge where billed_credits is not null"));
        await EndAndRecordAsync(batchId);
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Skipped'"));
    }

    [Fact]
    public async Task CancelBatchAsync_WhileTheSubmitStepIsCreatingTheBatch_CancelsItAtLlamaCloudOnceCreated()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await Harness.Admin.SetFaultsAsync(new { hold_requests_matching = "^POST /api/v2/batches$", hold_after_effect = true });

        var submit = Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await Eventually.WaitAsync(async () => await Harness.Admin.CounterAsync("requests_held_total") >= 1, TimeSpan.FromSeconds(20), "the submit step to be inside its create");
        var outcome = await Commands.CancelBatchAsync(batchId, Ct);
        await Harness.Admin.SetFaultsAsync(new { hold_requests_matching = (string?)null });
        await submit;

        Assert.Equal(CancelOutcome.CancelRequested, outcome);
        Assert.NotNull(await Harness.Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch where id = $1", batchId));
        Assert.Equal(1L, await Harness.Admin.CounterAsync("batch_cancels_total"));
        await EndAndRecordAsync(batchId);
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Skipped'"));
    }

    private async Task EndAndRecordAsync(long batchId)
    {
        await Harness.Admin.StepAsync(5);
        await Eventually.WaitAsync(
            async () =>
            {
                await Harness.Get<PollTick>().RunAsync(Ct);
                return Harness.Scheduler.BatchIds("record").Contains(batchId);
            },
            TimeSpan.FromSeconds(20),
            "the poller to see the batch cancelled");
        await Harness.Get<BatchResultRecorder>().RecordAsync(batchId, Ct);
        Assert.Equal("Cancelled", await Harness.Database.ScalarAsync<string>("select remote_status from orchestrator.batch where id = $1", batchId));
    }

    private OperatorCommands Commands => Harness.Get<OperatorCommands>();
}
