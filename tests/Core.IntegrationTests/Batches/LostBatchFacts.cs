namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A submitted batch LlamaCloud no longer knows (it expired or was deleted, or the in-process Sandbox restarted and
/// forgot it): its status answers 404. It ends for good, as a batch that failed as a whole: its files go to the next
/// run (docs/resilience.md, "A batch gone after submission") instead of staying Submitted, the run open and the record
/// step failing on every hand-out.
/// </summary>
public sealed class LostBatchFacts(PostgresServerFixture server)
{
    private const int Files = 5;

    [Theory]
    [InlineData("parse_v2", "100")] // cfg-PARSE_AGENTIC: 10 credits a one-page file, so the Day cap holds two runs' files
    [InlineData("v1_parse", "10")] // the fast tier: 1 credit a one-page file
    public async Task RecordAsync_EndsTheBatchAndQueuesItsFilesForTheNextRun_WhenLlamaCloudNoLongerKnowsTheBatch(string jobType, string dayCap)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sources:0:JobType"] = jobType,
            ["Costs:Caps:0:Window"] = "Day",
            ["Costs:Caps:0:Credits"] = dayCap,
        };
        if (jobType == "v1_parse")
        {
            settings["Sources:0:V1ParseTier"] = "fast";
        }

        await using var h = await CreateHarnessAsync(settings);
        var (batchId, remoteId) = await SubmitAndLoseAsync(h);
        Assert.Contains(batchId, h.Scheduler.BatchIds("record"));
        await h.Get<BatchResultRecorder>().RecordAsync(batchId, Ct);
        await h.Get<BatchResultRecorder>().RecordAsync(batchId, Ct); // handed out again (a stalled-step sweep): nothing more happens

        var batch = (await h.Database.ListAsync(
            "select state, finished_at is not null, last_error from orchestrator.batch where id = $1",
            r => (State: r.GetString(0), Finished: r.GetBoolean(1), Error: r.GetString(2)), batchId)).Single();
        Assert.Equal(("ResultsRecorded", true), (batch.State, batch.Finished));
        Assert.StartsWith($"LlamaCloud no longer knows batch {remoteId} (404", batch.Error, StringComparison.Ordinal);
        var files = await h.Database.ListAsync(
            "select state, error_class, process_attempts, batch_id is null, error_message from orchestrator.file_version order by id",
            r => (State: r.GetString(0), Class: r.GetString(1), Attempts: r.GetInt32(2), OutOfBatch: r.GetBoolean(3), Reason: r.GetString(4)));
        Assert.Equal(Files, files.Count);
        Assert.All(files, f => Assert.Equal(("Discovered", "Transient", 1, true), (f.State, f.Class, f.Attempts, f.OutOfBatch)));
        Assert.All(files, f => Assert.Equal($"LlamaCloud no longer knows batch {remoteId} (404), so this file's result cannot be read; queued for the next run", f.Reason));
        Assert.Equal([("Completed", true)], await h.Database.ListAsync("select state, finished_at is not null from orchestrator.run", r => (r.GetString(0), r.GetBoolean(1))));
        // Whether it billed them cannot be read: settled without a bill, their reservations still count against the caps.
        Assert.Equal([Files], await UnreadChargesAsync(h, batchId));
        Assert.Single(h.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains($"LlamaCloud no longer knows batch {batchId} ({remoteId}, 404)", StringComparison.Ordinal)
            && l.Contains("stay counted against the caps", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
        Assert.Equal(CancelOutcome.AlreadyEnded, await h.Get<OperatorCommands>().CancelBatchAsync(batchId, Ct));

        // The next run sends them again, within the Day cap's room for both batches.
        var next = await RunToRecordedAsync(h);

        Assert.NotEqual(batchId, Assert.Single(next));
        Assert.Equal(
            [("Succeeded", (long)Files)],
            await h.Database.ListAsync(
                "select state, count(*) from orchestrator.file_version where batch_id = $1 and job_id is not null group by state",
                r => (r.GetString(0), r.GetInt64(1)), next[0]));
        Assert.Equal(0L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.batch where finished_at is null"));
    }

    [Fact]
    public async Task RecordAsync_FailsTheFilesTransient_WhenTheLostBatchWasTheirLastAttempt_AndAnOperatorCanRetryThem()
    {
        await using var h = await CreateHarnessAsync(new Dictionary<string, string?> { ["Sources:0:MaxAttempts"] = "1" });
        var (batchId, remoteId) = await SubmitAndLoseAsync(h);

        await h.Get<BatchResultRecorder>().RecordAsync(batchId, Ct);

        Assert.All(
            await h.Database.ListAsync("select state, error_class, error_message from orchestrator.file_version", r => (r.GetString(0), r.GetString(1), r.GetString(2))),
            f => Assert.Equal(("Failed", "Transient", $"LlamaCloud no longer knows batch {remoteId} (404), so this file's result cannot be read; 1 attempt, not retried again (MaxAttempts 1)"), f));
        Assert.Empty(await h.SubmitAllAsync(Ct)); // out of attempts: the next run leaves them to an operator
        Assert.Equal(Files, (await h.Get<OperatorCommands>().RetryFailedAsync(PipelineHarness.SourceName, Ct)).Requeued);
        var retried = await RunToRecordedAsync(h);
        Assert.Equal((long)Files, await h.Database.ScalarAsync<long>(
            "select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null and batch_id = $1", Assert.Single(retried)));
    }

    [Fact]
    public async Task CancelBatchAsync_OfABatchLlamaCloudNoLongerKnows_EndsItAsCancelled_AndItsFilesAreNotSentAgain()
    {
        await using var h = await CreateHarnessAsync(new Dictionary<string, string?> { ["Costs:Caps:0:Window"] = "Day", ["Costs:Caps:0:Credits"] = "50" });
        h.WriteFiles(Files);
        var batchId = (await h.SubmitAllAsync(Ct)).Single();
        var remoteId = await h.Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch where id = $1", batchId);
        await h.Admin.ForgetBatchAsync(remoteId);

        Assert.Equal(CancelOutcome.CancelSentToApi, await h.Get<OperatorCommands>().CancelBatchAsync(batchId, Ct)); // LlamaCloud answers 404
        await h.Get<BatchPoller>().PollDueAsync(Ct); // the cancel made its poll due now
        await h.Get<BatchResultRecorder>().RecordAsync(batchId, Ct);

        Assert.Equal(
            [("ResultsRecorded", "Cancelled")],
            await h.Database.ListAsync("select state, remote_status from orchestrator.batch where id = $1", r => (r.GetString(0), r.GetString(1)), batchId));
        Assert.Equal(
            [("Skipped", "batch cancelled before this file was processed", (long)Files)],
            await h.Database.ListAsync(
                "select state, error_message, count(*) from orchestrator.file_version group by state, error_message",
                r => (r.GetString(0), r.GetString(1), r.GetInt64(2))));
        Assert.Equal([("Completed", true)], await h.Database.ListAsync("select state, finished_at is not null from orchestrator.run", r => (r.GetString(0), r.GetBoolean(1))));
        Assert.Equal([Files], await UnreadChargesAsync(h, batchId)); // it may have billed them before it was lost
        Assert.Single(h.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains($"batch {batchId} ({remoteId}, 404), which an operator asked to cancel", StringComparison.Ordinal));
        Assert.Empty(await h.SubmitAllAsync(Ct)); // cancelled, as asked: not sent again
    }

    [Fact]
    public async Task CancelBatchAsync_AfterAPollFoundTheBatchLost_SaysItHadEnded_AndItsFilesAreStillSentAgain()
    {
        // Lost before the cancel was asked for: not cancelled by it, so not recorded as cancelled (its files Skipped, for good).
        await using var h = await CreateHarnessAsync(new Dictionary<string, string?>());
        var (batchId, _) = await SubmitAndLoseAsync(h);
        Assert.Equal("Failed", await h.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batchId));

        Assert.Equal(CancelOutcome.AlreadyEnded, await h.Get<OperatorCommands>().CancelBatchAsync(batchId, Ct));
        await h.Get<BatchResultRecorder>().RecordAsync(batchId, Ct);

        Assert.Equal([("Discovered", (long)Files)], await h.Database.ListAsync("select state, count(*) from orchestrator.file_version group by state", r => (r.GetString(0), r.GetInt64(1))));
        Assert.Equal("Failed", await h.Database.ScalarAsync<string>("select remote_status from orchestrator.batch where id = $1", batchId));
    }

    [Fact]
    public async Task RecordAsync_KeepsCountingTheReservations_OfTheFilesABatchThatFailedAsAWholeSaidNothingOf()
    {
        // LlamaCloud reported on two of the five files, then failed the batch: whether it ran and billed the others' jobs cannot
        // be read, as with a lost batch. Released at 0, their bill would count for nothing while they are sent and billed again.
        await using var h = await CreateHarnessAsync(new Dictionary<string, string?> { ["Costs:Caps:0:Window"] = "Day", ["Costs:Caps:0:Credits"] = "100" });
        h.WriteFiles(Files);
        await h.Admin.SetFaultsAsync(new { fail_next_batches = 1 });

        var batchId = Assert.Single(await RunToRecordedAsync(h));

        Assert.Equal("Failed", await h.Database.ScalarAsync<string>("select remote_status from orchestrator.batch where id = $1", batchId));
        Assert.Equal(3L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Discovered'"));
        Assert.Equal([3], await UnreadChargesAsync(h, batchId));
    }

    [Fact]
    public async Task RecordAsync_KeepsALostBatchsReservationsCounted_SoItsFilesSentAgainCannotTakeTheCapPastItsLimit()
    {
        // 10 credits a one-page file against a Day cap of 50: room for one batch of the five files.
        await using var h = await CreateHarnessAsync(new Dictionary<string, string?> { ["Costs:Caps:0:Window"] = "Day", ["Costs:Caps:0:Credits"] = "50" });
        h.WriteFiles(Files);
        var batchId = (await h.SubmitAllAsync(Ct)).Single();
        await BilledThenLostAsync(h, batchId); // LlamaCloud runs and bills every job of it, then no longer knows it, before any poll read its results
        Assert.Equal(50m, await h.Admin.CreditsBilledAsync());

        // Sent again, they would be billed again: the cap counts the first bill it cannot read, and holds them.
        await AssertAllHeldAgainAsync(h);
    }

    [Fact]
    public async Task RecordAsync_AsksForAnApprovalAgain_ForTheFilesALostBatchTookPastTheCaps()
    {
        // 10 credits a one-page file against a Day cap of 5: every file is held until an operator approves it.
        await using var h = await CreateHarnessAsync(new Dictionary<string, string?> { ["Costs:Caps:0:Window"] = "Day", ["Costs:Caps:0:Credits"] = "5" });
        h.WriteFiles(Files);
        Assert.Empty(await h.SubmitAllAsync(Ct));
        var holding = await h.Database.ScalarAsync<long>("select max(held_run_id) from orchestrator.file_version");
        Assert.Equal(Files, await h.Get<OperatorCommands>().ApproveHeldAsync(holding, Ct));
        var batchId = (await h.SubmitAllAsync(Ct)).Single();
        await BilledThenLostAsync(h, batchId); // LlamaCloud runs and bills what was approved, then no longer knows the batch
        Assert.Equal(50m, await h.Admin.CreditsBilledAsync());

        // The approval was for one sending: with the first bill counted, the files sent again past the caps could be
        // billed twice what was approved. They are held again, for an operator who can see what the first one spent.
        await AssertAllHeldAgainAsync(h);
        Assert.Equal(0L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where cap_approved_at is not null"));

        holding = await h.Database.ScalarAsync<long>("select max(held_run_id) from orchestrator.file_version");
        Assert.Equal(Files, await h.Get<OperatorCommands>().ApproveHeldAsync(holding, Ct));
        var next = await RunToRecordedAsync(h); // approved again, they go
        Assert.Equal((long)Files, await h.Database.ScalarAsync<long>(
            "select count(*) from orchestrator.file_version where state = 'Succeeded' and batch_id = $1", Assert.Single(next)));
    }

    /// <summary>
    /// The Sandbox moves only when a fact steps it, so the lost batch is forgotten before it processed anything.
    /// Had a v1 job's items finished first, the next job would skip them as <c>already_processed</c>, as v1 does any
    /// item it processed with the same parameters; which of the two happened would depend on the machine's load.
    /// </summary>
    private Task<PipelineHarness> CreateHarnessAsync(IDictionary<string, string?> settings) =>
        PipelineHarness.CreateAsync(server, settings, new SandboxOptions { ManualSteps = true });

    private static async Task<IReadOnlyList<long>> RunToRecordedAsync(PipelineHarness h)
    {
        var batches = await h.SubmitAllAsync(Ct);
        await h.Admin.StepAsync(100); // far more steps than five files take to finish, v2 or v1
        await h.RecordAllAsync(batches, Ct);
        return batches;
    }

    /// <summary>Charges of the batch settled without a bill: counted against the caps at their reservation.</summary>
    private static Task<List<int>> UnreadChargesAsync(PipelineHarness h, long batchId) => h.Database.ListAsync(
        "select count(*)::int from orchestrator.credit_charge where batch_id = $1 and settled_at is not null and billed_credits is null",
        r => r.GetInt32(0), batchId);

    /// <summary>Submits the files as one batch, has the Sandbox forget it as an expired batch is forgotten, and polls it.</summary>
    private static async Task<(long BatchId, string RemoteId)> SubmitAndLoseAsync(PipelineHarness h)
    {
        h.WriteFiles(Files);
        var batchId = (await h.SubmitAllAsync(Ct)).Single();
        var remoteId = await h.Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch where id = $1", batchId);
        await h.LoseAsync(batchId, Ct);
        return (batchId, remoteId);
    }

    private static async Task BilledThenLostAsync(PipelineHarness h, long batchId)
    {
        await h.Admin.StepAsync(100);
        await h.LoseAsync(batchId, Ct);
        await h.Get<BatchResultRecorder>().RecordAsync(batchId, Ct);
    }

    private static async Task AssertAllHeldAgainAsync(PipelineHarness h)
    {
        Assert.Empty(await h.SubmitAllAsync(Ct));
        Assert.Equal(
            [("Held", "global/Day", (long)Files)],
            await h.Database.ListAsync(
                "select state, held_cap, count(*) from orchestrator.file_version group by state, held_cap", r => (r.GetString(0), r.GetString(1), r.GetInt64(2))));
        Assert.Equal(50m, await h.Admin.CreditsBilledAsync());
    }
}
