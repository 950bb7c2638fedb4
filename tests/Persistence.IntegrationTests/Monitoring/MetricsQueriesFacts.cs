namespace BatchOrchestrator.Persistence.IntegrationTests.Monitoring;

/// <summary>The database-backed gauges of /metrics count what belongs to the configured sources, as Needs a person reads it.</summary>
public sealed class MetricsQueriesFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task BatchesAndSetAsideGauges_CountTheConfiguredSourcesOnly()
    {
        // A source taken out of the configuration keeps its batches and its scan's problems (history): counted, they
        // would stay in the graphs for ever, as its files would in batchorchestrator_files.
        var docs = await OpsSeed.RunAsync(Database, "docs");
        await OpsSeed.BatchAsync(Database, docs, "docs");
        await OpsSeed.BatchAsync(Database, docs, "docs", state: "Running", finished: null);
        var removed = await OpsSeed.RunAsync(Database, "removed");
        await OpsSeed.BatchAsync(Database, removed, "removed");
        await OpsSeed.BatchAsync(Database, removed, "removed", state: "Failed");
        await Database.ExecuteAsync("""
            insert into orchestrator.source_file_problem (source_name, relative_path, kind, reason, first_seen_at, last_seen_at)
            values ('docs', 'empty.txt', 'Empty', 'empty', now(), now()), ('removed', 'a.txt', 'Empty', 'empty', now(), now()),
                   ('removed', 'b.txt', 'TooLarge', 'too large', now(), now())
            """);

        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(["docs"], Ct);

        Assert.Equal([("ResultsRecorded", 1.0), ("Running", 1.0)], Of(gauges, "batches"));
        Assert.Equal([("Empty", 1.0)], Of(gauges, "files_set_aside"));
    }

    [Fact]
    public async Task PartialResultsGauge_CountsEachConfiguredSourcesFilesWhoseLatestResultLacksPages_AndZeroWhereNone()
    {
        var batch = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "docs"), "docs");
        var scan = await OpsSeed.FileAsync(Database, batch, "docs", "scan.pdf");
        var second = await OpsSeed.FileAsync(Database, batch, "docs", "second.pdf");
        await OpsSeed.FileAsync(Database, batch, "docs", "whole.pdf");
        var changed = await OpsSeed.FileAsync(Database, batch, "docs", "changed.pdf");
        var removed = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "removed"), "removed");
        var old = await OpsSeed.FileAsync(Database, removed, "removed", "old.pdf");
        await Database.ExecuteAsync(
            "update orchestrator.batch_result set failed_pages = '{2}', failed_page_error = 'Page 2 could not be processed' where file_version_id = any($1)",
            new[] { scan, second, changed, old });
        // changed.pdf was edited since: its partial result is history, as on Needs a person.
        await Database.ExecuteAsync("""
            insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state)
            values ('docs', 'changed.pdf', 11, 3000, sha256('edited'::bytea), 'edited', 'Discovered')
            """);

        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(["docs", "quiet"], Ct);

        Assert.Equal([("docs", 2.0), ("quiet", 0.0)], Of(gauges, "partial_results"));
    }

    [Fact]
    public async Task PatternsTookNoneGauge_ReadsEachConfiguredSourcesLatestScan_AsNeedsAPersonDoes()
    {
        // "typo": its latest scan's patterns took none of 3 files. "fixed": they took none, then its patterns were put right
        // and the next scan took a file. "remote": a run that failed before its scan ended (no scan) after one that took
        // none. "quiet" never ran, and "removed" is no longer configured: neither is anything to look at.
        await ScannedAsync("typo", leftOut: 3);
        await ScannedAsync("fixed", leftOut: 5);
        await ScannedAsync("fixed", leftOut: null);
        await ScannedAsync("remote", leftOut: 2);
        await OpsSeed.RunAsync(Database, "remote", state: "Failed");
        await ScannedAsync("removed", leftOut: 7);
        string[] configured = ["typo", "fixed", "remote", "quiet"];

        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(configured, Ct);
        var attention = await new AttentionQueries(Database.DataSource).NeedsAPersonAsync(
            [.. configured.Select(c => (c, "parse_v2 cfg-PARSE_AGENTIC", 3))], TimeSpan.FromDays(1), Ct);

        Assert.Equal([("fixed", 0.0), ("quiet", 0.0), ("remote", 2.0), ("typo", 3.0)], Of(gauges, "patterns_took_none"));
        Assert.Equal(
            [("remote", 2L), ("typo", 3L)],
            attention.Rows.Where(r => (string)attention.Value(r, "Kind")! == "patterns-took-none")
                .Select(r => ((string)attention.Value(r, "Source")!, (long)attention.Value(r, "Count")!)).Order());
    }

    [Fact]
    public async Task InFlightGauges_WatchARemovedSourcesWorkToo_AsNeedsAPersonListsIt()
    {
        // A removed source's submitted batch is still polled, followed up and billed (docs/operations.md, "A source
        // removed while its batches are under way"): stuck, it needs a person as any other, on the page and in the gauges.
        var run = await OpsSeed.RunAsync(Database, "removed", state: "Active", finished: null);
        var batch = await OpsSeed.BatchAsync(Database, run, "removed", state: "Running", finished: null);
        var recorded = await OpsSeed.BatchAsync(Database, run, "removed");
        var waiting = await OpsSeed.FileAsync(Database, recorded, "removed", "a.pdf", followUp: "Recorded");
        await Database.ExecuteAsync("update orchestrator.batch set stuck_since = now() where id = $1", batch);
        await Database.ExecuteAsync("update orchestrator.batch set webhook_missed_at = now() where id = $1", recorded);
        await Database.ExecuteAsync("update orchestrator.batch_result set stuck_since = now(), recorded_at = now() - interval '2 hours' where file_version_id = $1", waiting);

        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(["docs"], Ct);
        var attention = await new AttentionQueries(Database.DataSource).NeedsAPersonAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC", 3)], TimeSpan.FromDays(1), Ct);

        Assert.Equal([("batch", 1.0), ("job", 1.0)], Of(gauges, "stuck"));
        Assert.Equal([("", 1.0)], Of(gauges, "webhooks_missed"));
        Assert.InRange(Of(gauges, "follow_up_lag").Single().Value, 7_000, 7_300);
        Assert.Equal(1.0, Of(gauges, "runs").Single(r => r.Label == "Active").Value);
        Assert.Equal(
            ["stuck-batch", "stuck-jobs", "webhooks-missed"],
            attention.Rows.Where(r => (string)attention.Value(r, "Source")! == "removed").Select(r => (string)attention.Value(r, "Kind")!).Order());
    }

    private async Task ScannedAsync(string source, int? leftOut)
    {
        var run = await OpsSeed.RunAsync(Database, source, state: "NoChanges");
        await Database.ExecuteAsync(
            "update orchestrator.run set scanned_at = now(), files_left_out_by_patterns = $2 where id = $1", run, leftOut is { } n ? n : (object)DBNull.Value);
    }

    private static (string Label, double Value)[] Of(IReadOnlyList<(string Metric, string Label, double Value)> gauges, string metric) =>
        [.. gauges.Where(g => g.Metric == metric).Select(g => (g.Label, g.Value)).Order()];
}
