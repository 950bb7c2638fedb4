using System.Globalization;
using BatchOrchestrator.Core.IntegrationTests.Batches;

namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// A step never retries forever: a batch whose upload step keeps failing ends after Pipeline:MaxStepAttempts
/// runs with the last error as its reason, its files back in the queue; a create LlamaCloud refuses ends the
/// batch at once. Either way every file has a terminal state or a place in the queue, with a reason.
/// </summary>
public sealed class StepBoundFacts(PostgresServerFixture server)
{
    private const string Unsettled = "select count(*) from orchestrator.credit_charge where batch_id = $1 and billed_credits is null";

    [Fact]
    public async Task AnUploadStepThatKeepsFailing_EndsItsBatchWithTheLastError_AndItsFilesAreTakenByTheNextRun()
    {
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
        {
            ["Pipeline:MaxStepAttempts"] = "3",
            ["LlamaCloud:MaxRetries"] = "0",
            ["LlamaCloud:CircuitBreaker:Enabled"] = "false", // the failures must reach the step, not pause the project
        });
        h.WriteFiles(3);
        var batchId = await h.PlanOneBatchAsync(Ct);
        Assert.Equal(3L, await h.Database.ScalarAsync<long>(Unsettled, batchId)); // what planning reserved against the caps
        await h.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 500 }, routes = new[] { "/files/upload" } });

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            // What Hangfire's retries and the stalled-step sweep do: run the failing step again.
            await Assert.ThrowsAnyAsync<Exception>(() => h.Get<BatchUploader>().UploadAsync(batchId, Ct));
        }

        await h.Get<BatchUploader>().UploadAsync(batchId, Ct); // the fourth run gives the batch up instead of failing again

        var (state, error) = (await h.Database.ListAsync(
            "select state, last_error from orchestrator.batch where id = $1", r => (r.GetString(0), r.GetString(1)), batchId)).Single();
        Assert.Equal("ResultsRecorded", state);
        Assert.Contains("the upload step failed 3 times", error, StringComparison.Ordinal);
        Assert.Contains("500", error, StringComparison.Ordinal); // the last error a person would look for
        Assert.Equal(
            [("Discovered", "Transient")],
            (await h.Database.ListAsync("select distinct state, error_class from orchestrator.file_version", r => (r.GetString(0), r.GetString(1)))));
        Assert.Equal(0L, await h.Database.ScalarAsync<long>(Unsettled, batchId)); // nothing was billed: the cap room is free again
        // A run to take them is scheduled (Pipeline:RetryRunAfter), not left to the schedule's next one; its count is the files'.
        Assert.Equal(("scheduled-run", $"{PipelineHarness.SourceName}:Retry", TimeSpan.FromMinutes(15)), Assert.Single(h.Scheduler.Delays, d => d.Step == "scheduled-run"));
        Assert.Contains(h.Logs.Lines, l => l.StartsWith("Information", StringComparison.Ordinal) && l.Contains($"Batch {batchId}: 3 of its files go back to the queue", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Logs.Lines, l => l.Contains("failed for good", StringComparison.Ordinal));

        // The outage is over: the next run plans the queued files again, and each gets its job reference.
        await h.Admin.SetFaultsAsync(new { error_rate = 0.0 });
        await h.RunToRecordedAsync(Ct);
        Assert.Equal(3L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"));
    }

    [Fact]
    public async Task AGivenUpUploadStep_WarnsOfTheFilesWhoseLastAttemptItWas_AndSaysOnlyTheOthersGoBackToTheQueue()
    {
        await using var h = await OneStepAttemptHarnessAsync(maxAttempts: 2);
        h.WriteFiles(3);
        var batchId = await h.PlanOneBatchAsync(Ct);
        // One file already failed in an earlier batch: this batch is its second and last attempt.
        await h.Database.ExecuteAsync("update orchestrator.file_version set process_attempts = 1 where id = (select min(id) from orchestrator.file_version)");
        await GiveUpUploadsAsync(h, batchId);

        Assert.Equal(
            [("Discovered", 2L), ("Failed", 1L)],
            await h.Database.ListAsync("select state, count(*) from orchestrator.file_version group by state order by state", r => (r.GetString(0), r.GetInt64(1))));
        var usedUp = Assert.Single(h.Logs.Lines, l => l.Contains("failed for good", StringComparison.Ordinal));
        Assert.StartsWith("Warning", usedUp, StringComparison.Ordinal);
        Assert.Contains($"Batch {batchId} of {PipelineHarness.SourceName}: 1 of its files failed for good", usedUp, StringComparison.Ordinal);
        Assert.Contains("MaxAttempts (2)", usedUp, StringComparison.Ordinal);
        Assert.Contains("the upload step failed 1 times", usedUp, StringComparison.Ordinal); // the reason a person acts on
        var queued = Assert.Single(h.Logs.Lines, l => l.Contains("go back to the queue", StringComparison.Ordinal));
        Assert.StartsWith("Information", queued, StringComparison.Ordinal);
        Assert.Contains($"Batch {batchId}: 2 of its files go back to the queue", queued, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGivenUpUploadStepWhoseFilesAllUsedUpTheirAttempts_SaysNoneGoesBackToTheQueue_AndSchedulesNoRunForThem()
    {
        await using var h = await OneStepAttemptHarnessAsync(maxAttempts: 1);
        h.WriteFiles(2);
        var batchId = await h.PlanOneBatchAsync(Ct);
        await GiveUpUploadsAsync(h, batchId);

        Assert.Equal(2L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Failed'"));
        Assert.Contains(h.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal)
            && l.Contains($"Batch {batchId} of {PipelineHarness.SourceName}: 2 of its files failed for good", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Logs.Lines, l => l.Contains("go back to the queue", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Scheduler.Calls, c => c.Step == "scheduled-run"); // no run would find anything to take
    }

    [Fact]
    public async Task ACreateLlamaCloudRefuses_EndsTheBatchAtOnce_AndItsFilesFailWithTheRefusal()
    {
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["Sources:0:ConfigurationId"] = "cfg-NO_SUCH_PRESET" });
        h.WriteFiles(2);

        var batches = await h.SubmitAllAsync(Ct); // the submit step returns: no exception for Hangfire to retry

        var (state, error) = (await h.Database.ListAsync(
            "select state, last_error from orchestrator.batch where id = $1", r => (r.GetString(0), r.GetString(1)), batches.Single())).Single();
        Assert.Equal("ResultsRecorded", state);
        Assert.StartsWith("LlamaCloud refused to create the batch", error, StringComparison.Ordinal);
        var files = await h.Database.ListAsync("select state, error_class, error_message from orchestrator.file_version", r => (r.GetString(0), r.GetString(1), r.GetString(2)));
        Assert.All(files, f => Assert.Equal(("Failed", "Permanent"), (f.Item1, f.Item2)));
        Assert.All(files, f => Assert.Contains("cfg-NO_SUCH_PRESET", f.Item3, StringComparison.Ordinal));
        Assert.Equal(0L, await h.Database.ScalarAsync<long>(Unsettled, batches.Single()));
        Assert.Equal(2L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge where billed_credits = 0 and settled_at is not null"));
        Assert.Equal(1, await h.Admin.CounterAsync("requests_by_route", "POST /api/v2/batches")); // refused once, never sent again
        Assert.DoesNotContain(h.Scheduler.Calls, c => c.Step == "scheduled-run"); // failed for good: no run would take them
    }

    [Fact]
    public async Task ACreateOverADirectoryThatIsGone_EndsTheBatch_AndItsFilesGoBackToTheQueueToBeUploadedAfresh()
    {
        await using var h = await PipelineHarness.CreateAsync(server);
        h.WriteFiles(2);
        var batchId = await h.PlanOneBatchAsync(Ct);
        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);
        var directory = await h.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", batchId);
        Assert.True(await h.Get<BatchOrchestrator.Core.LlamaCloud.IBatchApis>().For(BatchOrchestrator.Core.LlamaCloud.ProjectScope.Default).DeleteDirectoryAsync(directory, Ct));

        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct); // answered 404: no exception for Hangfire to retry

        var (state, error) = (await h.Database.ListAsync(
            "select state, last_error from orchestrator.batch where id = $1", r => (r.GetString(0), r.GetString(1)), batchId)).Single();
        Assert.Equal("ResultsRecorded", state);
        Assert.StartsWith("LlamaCloud refused to create the batch", error, StringComparison.Ordinal);
        Assert.Equal(
            [("Discovered", "Transient")],
            await h.Database.ListAsync("select distinct state, error_class from orchestrator.file_version", r => (r.GetString(0), r.GetString(1))));

        await h.RunToRecordedAsync(Ct); // the next run uploads them into a new directory
        Assert.Equal(2L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"));
        Assert.Equal(4L, (await h.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task ASubmitStepGivenUpWithoutLearningWhetherItsCreateTookEffect_KeepsItsFilesReservations()
    {
        await using var h = await OneStepAttemptHarnessAsync(maxAttempts: 3);

        var batchId = await CrashedSubmit.GivenUpUncheckedAsync(h, Ct);

        Assert.Contains("could not be checked", await h.Database.ScalarAsync<string>("select last_error from orchestrator.batch where id = $1", batchId), StringComparison.Ordinal);
        Assert.Equal(2L, await h.Database.ScalarAsync<long>(Unsettled, batchId)); // the batch it may have made may be billing them
    }

    [Fact]
    public async Task ASubmitStepGivenUpBeforeAnyCreateWasSent_SendsItsFilesBack_LookingForNoBatch()
    {
        await using var h = await OneStepAttemptHarnessAsync(maxAttempts: 3);
        h.WriteFiles(2);
        var batchId = await h.PlanOneBatchAsync(Ct);
        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await h.Get<IBatchStore>().BeginStepAttemptAsync(batchId, Ct); // an earlier attempt died before its snapshot, so before any create
        await h.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 500 }, routes = new[] { "GET /api/v2/batches" } });

        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct); // the step's last run: nothing to look for

        Assert.Equal(
            [("Discovered", "Transient")],
            await h.Database.ListAsync("select distinct state, error_class from orchestrator.file_version", r => (r.GetString(0), r.GetString(1))));
        Assert.Equal(0L, await h.Database.ScalarAsync<long>(Unsettled, batchId)); // nothing was created: the reservations are released
        Assert.Equal(0L, (await h.Admin.CountersAsync()).BatchCreatesTotal);
    }

    [Fact]
    public async Task TheFilesOfABatchLlamaCloudMayHaveMade_AreLeftByARetryOfPermanentFailures_AndSentOnlyByOneThatNamesThem()
    {
        await using var h = await OneStepAttemptHarnessAsync(maxAttempts: 3);
        var batchId = await CrashedSubmit.GivenUpUncheckedAsync(h, Ct);
        var commands = h.Get<OperatorCommands>();

        // Forcing the retry of fixed files would send these too, to be paid for twice if their batch exists.
        var permanent = await commands.RetryFailedAsync(PipelineHarness.SourceName, ForcedRetry.Permanent, Ct);
        var states = await h.Database.ListAsync("select distinct state, error_class from orchestrator.file_version", r => (r.GetString(0), r.GetValue(1) as string));
        var marked = await h.Database.ScalarAsync<bool>("select unconfirmed_since is not null from orchestrator.batch where id = $1", batchId);
        var named = await commands.RetryFailedAsync(PipelineHarness.SourceName, ForcedRetry.Unconfirmed(batchId), Ct);

        Assert.Equal(0, permanent.Requeued);
        Assert.True(marked);
        Assert.True(named.LookedFor);
        Assert.Equal([("Failed", (string?)"Unconfirmed")], states);
        Assert.Equal(2, named.Requeued);
        Assert.Equal(2L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Discovered'"));
    }

    [Fact]
    public async Task ASubmitOverADirectoryThatIsGone_AdoptsTheBatchAnEarlierAttemptCreated_RatherThanGivingItsFilesUp()
    {
        await using var h = await PipelineHarness.CreateAsync(server);
        var (batchId, batch, created) = await CrashedSubmit.CreateTookEffectAsync(h, Ct);
        Assert.True(await h.Get<IBatchApis>().For(ProjectScope.Default).DeleteDirectoryAsync(batch.RemoteDirectoryId!, Ct));

        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        // The look before the create lists the directory's batches whether or not the directory is still there.
        Assert.Equal(created.Id, await h.Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch where id = $1", batchId));
        Assert.Equal(1L, (await h.Admin.CountersAsync()).BatchCreatesTotal);
        Assert.Equal(2L, await h.Database.ScalarAsync<long>(Unsettled, batchId));
    }

    [Fact]
    public async Task ASubmitAnswered404AfterAnEarlierAttemptsCreate_KeepsItsFilesReservations_WhenItsBatchCannotBeLookedFor()
    {
        // LlamaCloud may answer a list of a gone directory's batches with 404, as it does a create over it.
        await using var h = await PipelineHarness.CreateAsync(
            server, sandboxOptions: new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20), Guesses = { BatchListOfGoneDirectoryNotFound = true } });
        var (batchId, batch, _) = await CrashedSubmit.CreateTookEffectAsync(h, Ct);
        Assert.True(await h.Get<IBatchApis>().For(ProjectScope.Default).DeleteDirectoryAsync(batch.RemoteDirectoryId!, Ct));

        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct); // answered 404: no exception for Hangfire to retry

        Assert.Contains("could not be checked", await h.Database.ScalarAsync<string>("select last_error from orchestrator.batch where id = $1", batchId), StringComparison.Ordinal);
        Assert.Equal(2L, await h.Database.ScalarAsync<long>(Unsettled, batchId)); // the batch the earlier attempt made may be billing them
        Assert.Equal(2L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Failed' and error_class = 'Unconfirmed'"));
        Assert.Equal(1L, (await h.Admin.CountersAsync()).BatchCreatesTotal);
    }

    [Fact]
    public async Task AWaitLlamaCloudAsksForDuringTheLookAfterA404_ReschedulesTheSubmitStep_WithoutUsingUpAnAttempt()
    {
        await using var h = await PipelineHarness.CreateAsync(server);
        var (batchId, batch) = await CrashedSubmit.SnapshotTakenAsync(h, Ct); // a create may have been sent: a 404 is followed by a look
        Assert.True(await h.Get<IBatchApis>().For(ProjectScope.Default).DeleteDirectoryAsync(batch.RemoteDirectoryId!, Ct));
        const string Attempts = "select step_attempts from orchestrator.batch where id = $1";
        var before = await h.Database.ScalarAsync<int>(Attempts, batchId);

        // The look before the create answers as usual; the one after the 404 is told to wait minutes.
        await h.Admin.SetFaultsAsync(new { hold_requests_matching = "^POST /api/v2/batches$" });
        var submit = h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await Eventually.WaitAsync(async () => await h.Admin.CounterAsync("requests_held_total") >= 1, TimeSpan.FromSeconds(20), "the submit step to be inside its create");
        await h.Admin.SetFaultsAsync(new
        {
            hold_requests_matching = (string?)null, too_many_requests_burst = 1, retry_after_ms = 300_000, retry_after_format = "seconds", routes = new[] { "GET /api/v2/batches" },
        });
        await submit; // no exception for Hangfire to retry

        Assert.InRange(h.Scheduler.Delays.Single(d => d.Step == "scheduled-submit").Delay, TimeSpan.FromSeconds(295), TimeSpan.FromSeconds(300));
        Assert.Equal(before, await h.Database.ScalarAsync<int>(Attempts, batchId));
        Assert.Null(await h.Database.ScalarAsync<string?>("select last_error from orchestrator.batch where id = $1", batchId));
        Assert.Equal(2L, await h.Database.ScalarAsync<long>(Unsettled, batchId));
    }

    [Fact]
    public async Task ACancelledSubmitStepWhoseLookKeepsFailing_EndsWithinItsAttempts_AndKeepsItsFilesReservations()
    {
        await using var h = await OneStepAttemptHarnessAsync(maxAttempts: 3);
        var (batchId, _, _) = await CrashedSubmit.CreateTookEffectAsync(h, Ct);
        Assert.Equal(CancelOutcome.CancelRequested, await h.Get<OperatorCommands>().CancelBatchAsync(batchId, Ct));
        await h.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 500 }, routes = new[] { "GET /api/v2/batches" } });

        // Its one attempt: the look for the batch it may have made fails, and Hangfire would retry.
        await Assert.ThrowsAnyAsync<LlamaCloudException>(() => h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct));
        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct); // the next run is past Pipeline:MaxStepAttempts: it ends the batch

        var (state, error) = (await h.Database.ListAsync(
            "select state, last_error from orchestrator.batch where id = $1", r => (r.GetString(0), r.GetString(1)), batchId)).Single();
        Assert.Equal("ResultsRecorded", state);
        Assert.StartsWith("it was cancelled by an operator, but the submit step failed 1 times to check", error, StringComparison.Ordinal);
        Assert.Equal(2L, await h.Database.ScalarAsync<long>(Unsettled, batchId)); // the batch it may have made may be billing them
        Assert.Equal(2L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Failed'"));
    }

    // One step attempt and no in-process retry or breaker, so two failing runs of the upload step give its batch up.
    private Task<PipelineHarness> OneStepAttemptHarnessAsync(int maxAttempts) => PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
    {
        ["Sources:0:MaxAttempts"] = maxAttempts.ToString(CultureInfo.InvariantCulture),
        ["Pipeline:MaxStepAttempts"] = "1",
        ["LlamaCloud:MaxRetries"] = "0",
        ["LlamaCloud:CircuitBreaker:Enabled"] = "false",
    });

    // Every upload fails: the first run of the step throws (Hangfire would retry it), the second gives the batch up.
    private static async Task GiveUpUploadsAsync(PipelineHarness h, long batchId)
    {
        await h.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 500 }, routes = new[] { "/files/upload" } });
        await Assert.ThrowsAnyAsync<Exception>(() => h.Get<BatchUploader>().UploadAsync(batchId, Ct));
        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);
    }
}
