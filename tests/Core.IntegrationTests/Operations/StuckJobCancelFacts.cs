using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Operations;
using BatchOrchestrator.Core.Ticks;
using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Core.IntegrationTests.Operations;

/// <summary>
/// A job that never ends: once the watchdog has flagged it, an operator's 'cancel jobs' stops it at LlamaCloud, and the
/// follow-up sends its file again instead of looking at it for ever.
/// </summary>
public sealed class StuckJobCancelFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private const int Files = 3;

    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server,
        new Dictionary<string, string?> { ["Watchdog:JobStuckAfter"] = "00:30:00" },
        new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(50), JobRunningSteps = 100_000 }); // jobs that stay RUNNING

    [Fact]
    public async Task CancellingABatchsStuckJobs_StopsThemAtLlamaCloud_AndTheFollowUpSendsTheirFilesAgain()
    {
        Harness.WriteFiles(Files);
        var batches = await Harness.RunToRecordedAsync(Ct);
        var batchId = Assert.Single(batches);
        await Harness.Get<FollowUpProcessor>().FollowUpAsync(batchId, Ct);
        Assert.Equal((long)Files, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'Recorded'"));
        await Harness.Database.ExecuteAsync("update orchestrator.batch_result set recorded_at = now() - interval '31 minutes'");
        await Harness.Get<PollTick>().RunAsync(Ct); // the watchdog flags them
        var batchesPage = await Harness.Get<OpsQueries>().BatchesAsync(null, null, openOnly: false, 10, Ct);
        Assert.Equal((long)Files, batchesPage.Value(batchesPage.Rows.Single(), "Stuck jobs")); // what the page's button would cancel
        var looks = await Harness.Database.ScalarAsync<int>("select follow_up_checks from orchestrator.batch where id = $1", batchId);

        var outcome = await Harness.Get<StuckJobCancelling>().CancelAsync(batchId, Ct);

        // The follow-up is due now, and no look is counted that none made: the back-off of the batch's other jobs stays.
        Assert.Equal(looks, await Harness.Database.ScalarAsync<int>("select follow_up_checks from orchestrator.batch where id = $1", batchId));
        Assert.True(await Harness.Database.ScalarAsync<bool>("select follow_up_next_at <= now() from orchestrator.batch where id = $1", batchId));

        Assert.NotNull(outcome);
        Assert.Equal((Files, Files, 0), (outcome.Stuck, outcome.Cancelled, outcome.Ended));
        Assert.Empty(outcome.Failed);
        Assert.Equal((long)Files, await Harness.Admin.CounterAsync("parse_job_cancels_total"));
        await Harness.FollowUpAllAsync(batches, Ct);
        batchesPage = await Harness.Get<OpsQueries>().BatchesAsync(null, null, openOnly: false, 10, Ct);
        Assert.Equal(0L, batchesPage.Value(batchesPage.Rows.Single(), "Stuck jobs")); // no button once the follow-up has read them
        var files = await Harness.Database.ListAsync(
            "select state, error_class, error_message from orchestrator.file_version order by relative_path",
            r => (State: r.GetString(0), Class: r.IsDBNull(1) ? null : r.GetString(1), Reason: r.IsDBNull(2) ? "" : r.GetString(2)));
        Assert.Equal(Files, files.Count);
        Assert.All(files, f =>
        {
            Assert.Equal(("Failed", "Transient"), (f.State, f.Class));
            Assert.Contains("cancelled by an operator here, as it had not ended", f.Reason, StringComparison.Ordinal);
        });
        Assert.Contains(("scheduled-run", $"{PipelineHarness.SourceName}:Retry"), Harness.Scheduler.Calls);

        // The retry run sends the three files again, in a batch of their own: none is left waiting on a job that never ends.
        var jobsBefore = await Harness.Admin.CounterAsync("parse_jobs_created_total");
        var again = await Harness.RunToRecordedAsync(Ct);
        Assert.Single(again);
        Assert.Equal((long)Files, await Harness.Admin.CounterAsync("parse_jobs_created_total") - jobsBefore);
    }

    [Fact]
    public async Task CancellingStuckJobs_SendsTheirFilesAgain_ThoughAnOperatorHadAskedToCancelTheBatchTooLate()
    {
        Harness.WriteFiles(Files);
        var batchId = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        await Harness.Get<FollowUpProcessor>().FollowUpAsync(batchId, Ct);
        // A 'cancel batch' that reached LlamaCloud once the batch had completed (a 409) left its request on the row.
        await Harness.Database.ExecuteAsync("update orchestrator.batch set cancel_requested_at = now() - interval '1 hour'");
        await Harness.Database.ExecuteAsync("update orchestrator.batch_result set recorded_at = now() - interval '31 minutes'");
        await Harness.Get<PollTick>().RunAsync(Ct);

        await Harness.Get<StuckJobCancelling>().CancelAsync(batchId, Ct);
        await Harness.FollowUpAllAsync([batchId], Ct);

        // The cancel of these jobs came later, and asked for their files to be sent again: skipped, no run would take them.
        Assert.Equal([("Failed", "Transient")], (await Harness.Database.ListAsync(
            "select state, error_class from orchestrator.file_version", r => (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)))).Distinct());
    }

    [Fact]
    public async Task ABatchWithNoStuckJob_HasNothingCancelled_AndAnUnknownBatchIsSaidToBeUnknown()
    {
        Harness.WriteFiles(Files);
        var batchId = Assert.Single(await Harness.RunToRecordedAsync(Ct)); // running, but not yet for JobStuckAfter

        var outcome = await Harness.Get<StuckJobCancelling>().CancelAsync(batchId, Ct);

        Assert.NotNull(outcome);
        Assert.Equal(0, outcome.Stuck);
        Assert.Equal(0L, await Harness.Admin.CounterAsync("parse_job_cancels_total"));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where cancel_requested_at is not null"));
        Assert.Null(await Harness.Get<StuckJobCancelling>().CancelAsync(batchId + 1000, Ct));
    }

    [Fact]
    public async Task AStuckJobThatEndedMeanwhile_IsSaidToHaveEnded_WhateverCodeLlamaCloudRefusesItsCancelWith()
    {
        await using var harness = await PipelineHarness.CreateAsync(
            Server, sandboxOptions: new SandboxOptions { Guesses = { CancelTerminalStatus = 400 } });
        harness.WriteFiles(1);
        var batchId = Assert.Single(await harness.RunToRecordedAsync(Ct));
        var jobId = await harness.Database.ScalarAsync<string>("select job_id from orchestrator.batch_result");
        await Eventually.WaitAsync(
            async () => (await harness.Get<IBatchApis>().For(default).GetParseJobAsync(jobId, [], Ct)).Job.Status, s => s == "COMPLETED", TimeSpan.FromSeconds(20), "the job to end");
        // The watchdog flagged it before it ended, and no follow-up has read it since.
        await harness.Database.ExecuteAsync("update orchestrator.batch_result set stuck_since = now()");

        var outcome = await harness.Get<StuckJobCancelling>().CancelAsync(batchId, Ct);

        // A refused cancel's code is unknown (docs/llamacloud-api.md §11.2): the job's status says it ended, and the verb
        // must not ask the operator to run it again, for ever.
        Assert.NotNull(outcome);
        Assert.Equal((1, 0, 1), (outcome.Stuck, outcome.Cancelled, outcome.Ended));
        Assert.Empty(outcome.Failed);
    }

    [Fact]
    public async Task StuckJobsOfAClassification_AreSaidToBeLeftOut_NotToBeNone()
    {
        var run = await Harness.Database.ScalarAsync<long>(
            "insert into orchestrator.run (source_name, trigger, state) values ($1, 'Manual', 'Completed') returning id", PipelineHarness.SourceName);
        var batchId = await Harness.Database.ScalarAsync<long>("""
            insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, file_count)
            values ($1, $2, 'ResultsRecorded', 'v1_classify', 'cfg-classify', 'bo-classify', 1) returning id
            """, run, PipelineHarness.SourceName);
        await Harness.Database.ExecuteAsync("""
            insert into orchestrator.batch_result (batch_id, source_directory_file_id, job_type, job_id, outcome, follow_up_state, stuck_since)
            values ($1, 'dfl-1', 'v1_classify', 'cls-1', 'Succeeded', 'Recorded', now())
            """, batchId);

        var outcome = await Harness.Get<StuckJobCancelling>().CancelAsync(batchId, Ct);

        // The watchdog, Needs a person and 'status' (which named this verb) said the job was stuck: "none stuck" would be false.
        Assert.NotNull(outcome);
        Assert.Equal((0, 1), (outcome.Stuck, outcome.LeftOut));
        Assert.StartsWith($"Batch {batchId}'s 1 stuck job is a v1_classify job, which cannot be cancelled from here", StuckJobCancelling.Describe(batchId, outcome), StringComparison.Ordinal);
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where cancel_requested_at is not null"));
    }
}
