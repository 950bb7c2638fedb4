using System.Text.Json;

namespace BatchOrchestrator.Persistence.IntegrationTests.Monitoring;

/// <summary>The Sources and Files tables (the dashboard's and the status verb's) count and find each file once, under its own name.</summary>
public sealed class OpsQueriesFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private OpsQueries Queries => new(Database.DataSource);

    [Fact]
    public async Task SourcesAsync_CountsEachFileInTheFolderOnce_ByItsLatestVersion_AndACopyByTheStateOfTheVersionItShares()
    {
        // "changed": a.pdf succeeded, then changed and its new content failed; b.pdf succeeded.
        var changed = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "changed"), "changed");
        var replaced = await OpsSeed.FileAsync(Database, changed, "changed", "a.pdf");
        await Database.ExecuteAsync("update orchestrator.file_version set dedupe_key = 'earlier content', sha256 = '\\x00' where id = $1", replaced);
        await OpsSeed.FileAsync(Database, changed, "changed", "a.pdf", outcome: "Failed", errorClass: "Transient", onDisk: false);
        await OpsSeed.FileAsync(Database, changed, "changed", "b.pdf");
        await OpsSeed.FileAsync(Database, changed, "changed", "gone.pdf"); // succeeded, then deleted: no file of the folder now
        await Database.ExecuteAsync("update orchestrator.source_file set deleted_at = now() where relative_path = 'gone.pdf'");

        // "copied": b.pdf succeeded and has a copy; c.pdf failed, then became a copy of b.pdf too.
        var copied = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "copied"), "copied");
        var b = await OpsSeed.FileAsync(Database, copied, "copied", "b.pdf");
        await OpsSeed.FileAsync(Database, copied, "copied", "c.pdf", outcome: "Failed", errorClass: "Permanent");
        await CopyAsync("copied", "copy-of-b.pdf", b);
        await CopyAsync("copied", "c.pdf", b);

        var table = await Queries.SourcesAsync([("changed", "parse_v2 cfg-PARSE_AGENTIC"), ("copied", "parse_v2 cfg-PARSE_AGENTIC")], Ct);

        Assert.Equal(
            ["Failed=1 Succeeded=1", "Succeeded=3"],
            table.Rows.Select(r => Counts((string)table.Value(r, "Files by state")!)));
    }

    [Fact]
    public async Task FindFilesAsync_FindsACopyUnderItsOwnName_WithTheStateAndJobOfTheVersionItShares()
    {
        var batch = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "docs"), "docs");
        var a = await OpsSeed.FileAsync(Database, batch, "docs", "reports/a.pdf");
        await CopyAsync("docs", "archive/a copy.pdf", a);

        var copies = await Queries.FindFilesAsync("copy", source: null, batchId: null, 10, Ct);
        var all = await Queries.FindFilesAsync(null, "docs", batch, 10, Ct);

        var row = Assert.Single(copies.Rows);
        Assert.Equal(
            (a, "archive/a copy.pdf", "Succeeded", "pjb-reports/a.pdf", "Recorded", "reports/a.pdf"),
            ((long)copies.Value(row, "File")!, copies.Value(row, "Path"), copies.Value(row, "State"), copies.Value(row, "Job reference"), copies.Value(row, "Follow-up"), copies.Value(row, "Same content as")));
        Assert.Equal(["archive/a copy.pdf", "reports/a.pdf"], all.Rows.Select(r => (string)all.Value(r, "Path")!).Order(StringComparer.Ordinal));
        var copyRows = await Queries.FileCopiesAsync("docs", "reports/a.pdf", 10, Ct);
        Assert.Equal(["archive/a copy.pdf"], copyRows.Rows.Select(r => copyRows.Value(r, "Path")));
    }

    [Fact]
    public async Task FindFilesAsync_SaysWhenAPathIsGoneFromTheFolder()
    {
        var batch = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "docs"), "docs");
        await OpsSeed.FileAsync(Database, batch, "docs", "kept.pdf");
        await OpsSeed.FileAsync(Database, batch, "docs", "renamed-away.pdf");
        await Database.ExecuteAsync("update orchestrator.source_file set deleted_at = now() where source_name = 'docs' and relative_path = 'renamed-away.pdf'");

        var files = await Queries.FindFilesAsync(null, "docs", null, 10, Ct);

        Assert.Equal(
            [("kept.pdf", false), ("renamed-away.pdf", true)],
            files.Rows.Select(r => ((string)files.Value(r, "Path")!, files.Value(r, "Deleted from folder") is not null)).OrderBy(f => f.Item1, StringComparer.Ordinal));
    }

    [Fact]
    public async Task ACopysDeliveryThatRanOutOfAttempts_CountsAsAFailedFollowUpOfItsVersionsBatch()
    {
        var batch = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "docs"), "docs");
        var a = await OpsSeed.FileAsync(Database, batch, "docs", "a.pdf");
        await CopyAsync("docs", "b.pdf", a);
        await Database.ExecuteAsync(
            "update orchestrator.file_copy set job_id = 'pjb-a.pdf', follow_up_state = 'FollowUpFailed', follow_up_error = 'sink FileSystem: denied', followed_up_at = now()");

        var batches = await Queries.BatchesAsync(null, "docs", openOnly: false, 10, Ct);
        var attention = await new AttentionQueries(Database.DataSource).NeedsAPersonAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC", 3)], TimeSpan.FromDays(1), Ct);

        Assert.Equal(1L, batches.Value(batches.Rows.Single(), "Follow-ups failed"));
        var failed = attention.Rows.Single(r => (string)attention.Value(r, "Kind")! == "follow-ups-failed");
        Assert.Equal((batch, 1L, "sink FileSystem: denied"), ((long)attention.Value(failed, "Batch")!, (long)attention.Value(failed, "Count")!, attention.Value(failed, "Detail")));
    }

    [Fact]
    public async Task BatchesAndFileHistory_CountAFileWhoseJobFailed_AsFailedInItsBatch_AfterARetryTookItOn_AndNotAsAFailedFollowUp()
    {
        // Its item succeeded, its job failed: the follow-up ended FollowUpFailed and the file Failed; then a retry put it
        // in a new batch. The first batch still ended with a failed file, which no "Retry follow-ups" can help.
        var run = await OpsSeed.RunAsync(Database, "docs");
        var first = await OpsSeed.BatchAsync(Database, run, "docs");
        await OpsSeed.FileAsync(Database, first, "docs", "good.pdf");
        var failed = await OpsSeed.FileAsync(Database, first, "docs", "bad.pdf", jobStatus: "FAILED", followUp: "FollowUpFailed");
        var retry = await OpsSeed.BatchAsync(Database, run, "docs");
        await Database.ExecuteAsync("update orchestrator.file_version set state = 'Discovered', batch_id = $2, job_id = null where id = $1", failed, retry);

        var batches = await Queries.BatchesAsync(null, "docs", openOnly: false, 10, Ct);

        var row = batches.Rows.Single(r => (long)batches.Value(r, "Batch")! == first);
        Assert.Equal("Failed=1 Succeeded=1", Counts((string)batches.Value(row, "Files by state")!));
        Assert.Equal(0L, batches.Value(row, "Follow-ups failed"));
        await Database.ExecuteAsync("update orchestrator.batch_result set follow_up_error = 'the document is encrypted' where file_version_id = $1", failed);
        var history = await Queries.FileHistoryAsync("docs", "bad.pdf", 10, Ct);
        Assert.Equal(("Failed", "FAILED"), (history.Value(history.Rows.Single(), "Outcome"), history.Value(history.Rows.Single(), "Job status")));
        // The job's own error, not a follow-up of ours that failed: the column says it may be either.
        Assert.Equal("the document is encrypted", history.Value(history.Rows.Single(), "Job or follow-up error"));
    }

    [Fact]
    public async Task PartialResults_ThatNeedsAPersonSendsAnOperatorTo_AreNamedOnTheBatchsFilesAndTheFilePage()
    {
        // "Needs a person" says "3 results of batch N were delivered without pages …", names one file, and links to the
        // batch's files: each of them must say which pages are missing there, and its own page why.
        var batch = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "docs"), "docs");
        var scan = await OpsSeed.FileAsync(Database, batch, "docs", "scan.pdf");
        await OpsSeed.FileAsync(Database, batch, "docs", "whole.pdf");
        await CopyAsync("docs", "scan copy.pdf", scan);
        await Database.ExecuteAsync(
            "update orchestrator.batch_result set failed_pages = '{2,5}', failed_page_error = 'Page 2 could not be processed' where file_version_id = $1", scan);

        var files = await Queries.FindFilesAsync(null, "docs", batch, 10, Ct);
        var history = await Queries.FileHistoryAsync("docs", "scan.pdf", 10, Ct);

        Assert.Equal(
            [("scan copy.pdf", "2, 5"), ("scan.pdf", "2, 5"), ("whole.pdf", null)],
            files.Rows.Select(r => ((string)files.Value(r, "Path")!, files.Value(r, "Pages failed") as string)).OrderBy(f => f.Item1, StringComparer.Ordinal));
        Assert.Equal(("2, 5", "Page 2 could not be processed"), (history.Value(history.Rows.Single(), "Pages failed"), history.Value(history.Rows.Single(), "Pages failed because")));
    }

    [Fact]
    public async Task StuckJobs_OnTheBatchesPage_AreThoseTheGaugeAndNeedsAPersonCount_WithThoseCancelJobsCannotCancelApart()
    {
        // Three stuck references still awaited: a parse job, one without a job id, and a classifier's job.
        var run = await OpsSeed.RunAsync(Database, "docs");
        var parse = await OpsSeed.BatchAsync(Database, run, "docs");
        await OpsSeed.FileAsync(Database, parse, "docs", "a.pdf", followUp: "Recorded");
        var noId = await OpsSeed.FileAsync(Database, parse, "docs", "b.pdf", followUp: "Recorded");
        await Database.ExecuteAsync("update orchestrator.batch_result set job_id = null where file_version_id = $1", noId);
        var classify = await OpsSeed.BatchAsync(Database, run, "docs", jobType: "v1_classify");
        await OpsSeed.FileAsync(Database, classify, "docs", "c.pdf", followUp: "Recorded");
        await Database.ExecuteAsync("update orchestrator.batch_result set job_type = 'parse_v2'");
        await Database.ExecuteAsync("update orchestrator.batch_result set job_type = 'v1_classify' where batch_id = $1", classify);
        await Database.ExecuteAsync("update orchestrator.batch_result set stuck_since = now()");

        var batches = await Queries.BatchesAsync(null, "docs", openOnly: false, 10, Ct);
        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(["docs"], Ct);
        var attention = await new AttentionQueries(Database.DataSource).NeedsAPersonAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC", 3)], TimeSpan.FromDays(1), Ct);

        var counted = batches.Rows.ToDictionary(r => (long)batches.Value(r, "Batch")!, r => ((long)batches.Value(r, "Stuck jobs")!, (long)batches.Value(r, "Stuck, cannot cancel")!));
        Assert.Equal((2L, 1L), counted[parse]); // one for 'cancel jobs', one it cannot cancel: the page's button stays
        Assert.Equal((1L, 1L), counted[classify]); // none it can cancel: no button
        Assert.Equal(gauges.Single(g => g is { Metric: "stuck", Label: "job" }).Value, counted.Values.Sum(c => c.Item1));
        var needs = attention.Rows.Where(r => (string)attention.Value(r, "Kind")! == "stuck-jobs").ToDictionary(r => (long)attention.Value(r, "Batch")!, r => (long)attention.Value(r, "Count")!);
        Assert.Equal(counted.ToDictionary(c => c.Key, c => c.Value.Item1), needs);
    }

    [Fact]
    public async Task RunsWithChangesOnly_LeaveOutTheRunsThatFoundNothing_ButNotOneWhoseFilesACapHeld()
    {
        var failed = await OpsSeed.RunAsync(Database, "docs", state: "Failed", started: "now() - interval '2 hours'");
        var holding = await OpsSeed.RunAsync(Database, "docs", state: "NoChanges", newVersions: 2, started: "now() - interval '1 hour'");
        await OpsSeed.HeldAsync(Database, "docs", holding, 2);
        for (var i = 0; i < 12; i++)
        {
            await OpsSeed.RunAsync(Database, "docs", state: "NoChanges", started: "now()"); // a watched folder's events since
        }

        var queries = new OpsQueries(Database.DataSource);
        var withChanges = await queries.RunsAsync(null, 10, Ct, withChangesOnly: true);
        var every = await queries.RunsAsync(null, 10, Ct);

        Assert.Equal([holding, failed], withChanges.Rows.Select(r => (long)withChanges.Value(r, "Run")!));
        Assert.All(every.Rows, r => Assert.Equal("NoChanges", every.Value(r, "State")));
        Assert.DoesNotContain(every.Rows, r => (long)every.Value(r, "Run")! == failed);
    }

    /// <summary>A path with the content of another file's version, seen on disk by the scan.</summary>
    private async Task CopyAsync(string source, string path, long fileVersionId)
    {
        await Database.ExecuteAsync(
            """
            insert into orchestrator.source_file (source_name, relative_path, size, mtime_ticks, first_seen_at, sha256)
            select $1, $2, 1, 1, now(), sha256 from orchestrator.file_version where id = $3
            on conflict (source_name, relative_path) do nothing
            """,
            source, path, fileVersionId);
        await Database.ExecuteAsync("insert into orchestrator.file_copy (source_name, relative_path, file_version_id) values ($1, $2, $3)", source, path, fileVersionId);
    }

    private static string Counts(string json)
    {
        using var document = JsonDocument.Parse(json);
        return string.Join(' ', document.RootElement.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value.GetInt64()}"));
    }
}
