namespace BatchOrchestrator.Persistence.IntegrationTests.Monitoring;

/// <summary>
/// A cancelled job's file counts, on every page and figure of its batch, as what the follow-up made of it: skipped when
/// an operator here cancelled the batch, failed (and sent again) when the job was cancelled by anyone else, or on its own by
/// an operator's 'cancel jobs'.
/// </summary>
public sealed class OutcomesFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task AJobCancelledAtLlamaCloudByNoOperatorHere_CountsAsFailed_WhileOneOfABatchCancelledHereIsSkipped()
    {
        // Cancelled at LlamaCloud by someone else: the follow-up failed a.pdf Transient, and a retry batch took it again.
        var foreignRun = await OpsSeed.RunAsync(Database, "docs");
        var foreign = await OpsSeed.BatchAsync(Database, foreignRun, "docs", finished: "now() - interval '10 minutes'");
        var sentAgain = await OpsSeed.FileAsync(Database, foreign, "docs", "a.pdf", jobStatus: "CANCELLED", followUp: "FollowUpFailed");
        await OpsSeed.FileAsync(Database, foreign, "docs", "b.pdf");
        var retry = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "docs"), "docs", state: "Running", finished: null);
        await Database.ExecuteAsync("update orchestrator.file_version set batch_id = $1, state = 'Submitted', error_class = null where id = $2", retry, sentAgain);

        // Cancelled by an operator here: c.pdf's job was cancelled with its batch, and its file skipped, as they wished.
        var hereRun = await OpsSeed.RunAsync(Database, "here");
        var here = await OpsSeed.BatchAsync(Database, hereRun, "here", state: "Cancelled");
        await Database.ExecuteAsync("update orchestrator.batch set cancel_requested_at = now() - interval '1 minute' where id = $1", here);
        await OpsSeed.FileAsync(Database, here, "here", "c.pdf", jobStatus: "CANCELLED", followUp: "FollowUpFailed");
        await Database.ExecuteAsync("update orchestrator.file_version set state = 'Skipped' where relative_path = 'c.pdf'");

        var queries = new OpsQueries(Database.DataSource);
        var runs = await queries.RunsAsync(null, 10, Ct);
        var batches = await queries.BatchesAsync(null, null, openOnly: false, 10, Ct);
        var history = await queries.FileHistoryAsync("docs", "a.pdf", 10, Ct);
        var day = await new OverviewQueries(Database.DataSource).LastDayAsync(["docs", "here"], Ct);
        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(["docs", "here"], Ct);

        Assert.Equal("""{"Failed": 1, "Succeeded": 1}""", Row(runs, "Run", foreignRun, "Files ended by state"));
        Assert.Equal("""{"Failed": 1, "Succeeded": 1}""", Row(batches, "Batch", foreign, "Files by state"));
        Assert.Equal("Failed", history.Value(history.Rows.Single(), "Outcome"));
        Assert.Equal((1L, 1L, 0L), (day.Value(day.Rows[0], "Done"), day.Value(day.Rows[0], "Failed"), day.Value(day.Rows[0], "Skipped")));
        Assert.Equal(
            [("docs\u001fFailed", 1.0), ("docs\u001fSucceeded", 1.0), ("here\u001fSkipped", 1.0)],
            gauges.Where(g => g.Metric == "files_ended_last_hour").Select(g => (g.Label, g.Value)).Order());

        Assert.Equal("""{"Skipped": 1}""", Row(runs, "Run", hereRun, "Files ended by state"));
        Assert.Equal("""{"Skipped": 1}""", Row(batches, "Batch", here, "Files by state"));
        Assert.Equal((0L, 0L, 1L), (day.Value(day.Rows[1], "Done"), day.Value(day.Rows[1], "Failed"), day.Value(day.Rows[1], "Skipped")));
    }

    [Fact]
    public async Task AJobWhoseResultWasGoneBeforeTheFollowUpFetchedIt_CountsAsFailed_AsItsFileIs()
    {
        // The job succeeded, but LlamaCloud no longer had it at the follow-up (404): its file failed Permanent, no result anywhere.
        var run = await OpsSeed.RunAsync(Database, "docs");
        var batch = await OpsSeed.BatchAsync(Database, run, "docs", finished: "now() - interval '10 minutes'");
        var gone = await OpsSeed.FileAsync(Database, batch, "docs", "gone.pdf", followUp: "FollowUpFailed");
        await Database.ExecuteAsync("update orchestrator.batch_result set file_verdict = 'Failed' where file_version_id = $1", gone);
        // Since put back in the queue by 'retry --failed --permanent': what it got from this batch is still no result.
        await Database.ExecuteAsync("update orchestrator.file_version set state = 'Discovered', error_class = null where id = $1", gone);
        await OpsSeed.FileAsync(Database, batch, "docs", "kept.pdf");
        // A sink that could not take a result fails the follow-up, not the file: still done.
        await OpsSeed.FileAsync(Database, batch, "docs", "sink.pdf", followUp: "FollowUpFailed");

        var runs = await new OpsQueries(Database.DataSource).RunsAsync(null, 10, Ct);
        var day = await new OverviewQueries(Database.DataSource).LastDayAsync(["docs"], Ct);
        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(["docs"], Ct);

        Assert.Equal("""{"Failed": 1, "Succeeded": 2}""", Row(runs, "Run", run, "Files ended by state"));
        Assert.Equal((2L, 1L), (day.Value(day.Rows[0], "Done"), day.Value(day.Rows[0], "Failed")));
        Assert.Equal(
            [("docs\u001fFailed", 1.0), ("docs\u001fSucceeded", 2.0)],
            gauges.Where(g => g.Metric == "files_ended_last_hour").Select(g => (g.Label, g.Value)).Order());
    }

    [Fact]
    public async Task AStuckJobAnOperatorCancelled_CountsAsFailed_ThoughItsBatchsCancelWasAskedToo()
    {
        // 'cancel batch' reached LlamaCloud too late, then 'cancel jobs' cancelled d.pdf's stuck job: the job's own
        // request wins, and the follow-up failed its file Transient; a retry batch took it again (FollowUpProcessor).
        var run = await OpsSeed.RunAsync(Database, "docs");
        var batch = await OpsSeed.BatchAsync(Database, run, "docs", finished: "now() - interval '10 minutes'");
        await Database.ExecuteAsync("update orchestrator.batch set cancel_requested_at = now() - interval '1 hour' where id = $1", batch);
        var sentAgain = await OpsSeed.FileAsync(Database, batch, "docs", "d.pdf", jobStatus: "CANCELLED", followUp: "FollowUpFailed");
        await Database.ExecuteAsync("update orchestrator.batch_result set cancel_requested_at = now() - interval '15 minutes' where batch_id = $1", batch);
        var retry = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "docs"), "docs", state: "Running", finished: null);
        await Database.ExecuteAsync("update orchestrator.file_version set batch_id = $1, state = 'Submitted', error_class = null where id = $2", retry, sentAgain);

        var batches = await new OpsQueries(Database.DataSource).BatchesAsync(null, null, openOnly: false, 10, Ct);

        Assert.Equal("""{"Failed": 1}""", Row(batches, "Batch", batch, "Files by state"));
    }

    private static object? Row(OpsTable table, string key, long id, string column) =>
        table.Value(table.Rows.Single(r => Equals(table.Value(r, key), id)), column);
}
