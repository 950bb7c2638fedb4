using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Retries;

namespace BatchOrchestrator.Persistence.IntegrationTests.Monitoring;

/// <summary>
/// The overview's tables, charts and gauges read what the pipeline recorded, a file's outcome as its batch (and its
/// follow-up) said, or as its own state says where the batch never reported it.
/// </summary>
public sealed class OverviewQueriesFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private OverviewQueries Overview => new(Database.DataSource);

    [Fact]
    public async Task LastRunAndLastDay_CountWhatTheBatchesReported_AndHideHeldUntilSomethingIsHeld()
    {
        await OpsSeed.RunAsync(Database, "docs", state: "Completed", started: "now() - interval '3 days'", finished: "now() - interval '3 days'");
        var run = await OpsSeed.RunAsync(Database, "docs", newVersions: 5, started: "now() - interval '90 seconds'");
        var batch = await OpsSeed.BatchAsync(Database, run, "docs");
        await OpsSeed.FileAsync(Database, batch, "docs", "a.pdf");
        await OpsSeed.FileAsync(Database, batch, "docs", "b.pdf");
        await OpsSeed.FileAsync(Database, batch, "docs", "c.pdf", jobStatus: "FAILED"); // its job failed at follow-up
        await OpsSeed.FileAsync(Database, batch, "docs", "d.bin", outcome: "Failed");
        await OpsSeed.FileAsync(Database, batch, "docs", "e.pdf", outcome: "Skipped");
        await OpsSeed.RunAsync(Database, "docs", state: "NoChanges", started: "now()"); // a later look that found nothing

        var last = await Overview.LastRunsAsync(["docs", "idle"], Ct);
        var day = await Overview.LastDayAsync(["docs", "idle"], Ct);

        Assert.Equal((run, 5, 2L, 2L, 1L), (last.Value(last.Rows[0], "Last run"), last.Value(last.Rows[0], "Files in"), last.Value(last.Rows[0], "Done"), last.Value(last.Rows[0], "Failed"), last.Value(last.Rows[0], "Skipped")));
        Assert.InRange((TimeSpan)last.Value(last.Rows[0], "Took")!, TimeSpan.FromSeconds(89), TimeSpan.FromSeconds(120));
        Assert.Null(last.Value(last.Rows[1], "Last run")); // a source that never ran is listed, empty
        Assert.Equal((2L, 5L, 2L, 2L, 1L), (day.Value(day.Rows[0], "Runs"), day.Value(day.Rows[0], "Files in"), day.Value(day.Rows[0], "Done"), day.Value(day.Rows[0], "Failed"), day.Value(day.Rows[0], "Skipped")));
        Assert.DoesNotContain("Held", day.WithoutEmpty(OverviewQueries.HiddenWhileEmpty).Columns);
        Assert.DoesNotContain("Credits", day.WithoutEmpty(OverviewQueries.HiddenWhileEmpty).Columns);

        // Two versions charged: one billed (12 credits), one still reserved (20): the day counts 32, billed 12.
        await Database.ExecuteAsync("""
            insert into orchestrator.credit_charge (file_version_id, batch_id, run_id, source_name, configuration_id, tier, pages, reserved_credits, billed_credits)
            select fv.id, fv.batch_id, b.run_id, 'docs', 'cfg-PARSE_AGENTIC', 'agentic', 2, 20, case when row_number() over (order by fv.id) = 1 then 12 end
            from orchestrator.file_version fv join orchestrator.batch b on b.id = fv.batch_id
            where fv.source_name = 'docs' order by fv.id limit 2
            """);
        var costed = (await Overview.LastDayAsync(["docs", "idle"], Ct)).WithoutEmpty(OverviewQueries.HiddenWhileEmpty);
        Assert.Equal((4L, 32m, 12m), (costed.Value(costed.Rows[0], "Pages"), costed.Value(costed.Rows[0], "Credits"), costed.Value(costed.Rows[0], "Credits billed")));

        await Database.ExecuteAsync("""
            insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state)
            values ('idle', 'held.pdf', 1, 1, sha256('held'::bytea), 'held', 'Held')
            """);
        var held = (await Overview.LastDayAsync(["docs", "idle"], Ct)).WithoutEmpty(OverviewQueries.HiddenWhileEmpty);
        // Held is read from what exists: counted once Core's file version lifecycle has that state (caps add it).
        if (Enum.TryParse<Core.Lifecycle.FileVersionState>("Held", out _))
        {
            Assert.Equal(1L, held.Value(held.Rows[1], "Held"));
        }
        else
        {
            Assert.DoesNotContain("Held", held.Columns);
        }
    }

    [Fact]
    public async Task LastRun_IsOneWhoseNewFilesACapHeldAll_ThoughItPlannedNoBatch()
    {
        var earlier = await OpsSeed.RunAsync(Database, "docs", newVersions: 1, started: "now() - interval '1 hour'");
        var holding = await OpsSeed.RunAsync(Database, "docs", state: "NoChanges", newVersions: 3, started: "now() - interval '2 minutes'");
        await OpsSeed.HeldAsync(Database, "docs", holding, 3);
        await OpsSeed.RunAsync(Database, "docs", state: "NoChanges", started: "now()"); // a later look that found nothing

        var last = await Overview.LastRunsAsync(["docs"], Ct);

        Assert.NotEqual(earlier, holding);
        Assert.Equal((holding, "NoChanges", 3L), (last.Value(last.Rows[0], "Last run"), last.Value(last.Rows[0], "State"), last.Value(last.Rows[0], "Held")));
    }

    [Fact]
    public async Task TheRunsPage_CountsTheFilesARunHeldUnderACap_UntilTheyAreLetGo()
    {
        var batch = await Seed.PlannedBatchAsync(Database, "docs", files: 2, Ct);
        var run = await Database.ScalarAsync<long>("select run_id from orchestrator.batch where id = $1", batch);
        await Database.ExecuteAsync("update orchestrator.file_version set state = 'Held', held_cap = 'global/Day', held_run_id = $1, batch_id = null where id = (select min(id) from orchestrator.file_version)", run);
        var queries = new OpsQueries(Database.DataSource);

        var held = await queries.RunsAsync("docs", 10, Ct);
        await Database.ExecuteAsync("update orchestrator.file_version set state = 'Discovered', cap_approved_at = now() where state = 'Held'");
        var approved = await queries.RunsAsync("docs", 10, Ct);

        Assert.Equal((run, 1L), (held.Value(held.Rows[0], "Run"), held.Value(held.Rows[0], "Held")));
        Assert.Equal(0L, approved.Value(approved.Rows[0], "Held"));
    }

    [Fact]
    public async Task EveryOutcomeCount_CountsTheFilesOfABatchGivenUpBeforeUpload_AsFailed()
    {
        // LlamaCloud refused the upload step: the give-up fails the batch's files, and no batch result is ever written for them.
        var batch = await Seed.PlannedBatchAsync(Database, "docs", files: 4, Ct);
        var refused = new BatchAbandonment("LlamaCloud refused to upload the files", FailureClass.Permanent, BackToQueue: false);
        Assert.NotNull(await new NpgsqlBatchStore(Database.DataSource).GiveUpAsync(batch, refused, new RetryRule(3), await Seed.BatchLeaseAsync(Database, batch, Ct), Ct));
        var run = await Database.ScalarAsync<long>("select run_id from orchestrator.batch where id = $1", batch);

        var last = await Overview.LastRunsAsync(["docs"], Ct);
        var day = await Overview.LastDayAsync(["docs"], Ct);
        var chart = await Overview.DailyOutcomesAsync(30, ["docs"], Ct);
        var runs = await new OpsQueries(Database.DataSource).RunsAsync("docs", 10, Ct);
        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(["docs"], Ct);

        // Failed as counted by the last run, the last 24 hours, the chart, the Runs page (and status), and the failure-ratio gauge.
        Assert.Equal(
            (4L, 4L, 4L, """{"Failed": 4}""", 4.0),
            (last.Value(last.Rows[0], "Failed"), day.Value(day.Rows[0], "Failed"), chart.Value(chart.Rows[^1], "Failed"), runs.Value(runs.Rows[0], "Files ended by state"),
             gauges.Where(g => g.Metric == "files_ended_last_hour" && g.Label == "docs\u001fFailed").Sum(g => g.Value)));

        // The run's batches all ended, so it is Completed; that every file failed is in its counts, not its state.
        Assert.Equal((run, "Completed", 4, 0L, 0L), (last.Value(last.Rows[0], "Last run"), last.Value(last.Rows[0], "State"), last.Value(last.Rows[0], "Files in"),
            last.Value(last.Rows[0], "Done"), last.Value(last.Rows[0], "Skipped")));
        Assert.Equal((4L, 0L), (day.Value(day.Rows[0], "Files in"), day.Value(day.Rows[0], "Done")));
        Assert.Equal(("Completed", "4/4"), (runs.Value(runs.Rows[0], "State"), runs.Value(runs.Rows[0], "Progress")));
        Assert.DoesNotContain(gauges, g => g.Metric == "files_ended_last_hour" && g.Label != "docs\u001fFailed");
    }

    [Fact]
    public async Task OverAWindow_EachFileCountsOnce_ByItsLatestOutcome_WhileARunCountsItsBatchesOwn()
    {
        // One file failed in two batches (retried by an operator), another failed and then succeeded: two files, one
        // failed and one done, not three failures and a success (the failure-ratio alert divides these).
        var run = await OpsSeed.RunAsync(Database, "docs");
        var first = await OpsSeed.BatchAsync(Database, run, "docs", finished: "now() - interval '10 minutes'");
        var twice = await OpsSeed.FileAsync(Database, first, "docs", "fails-twice.pdf", outcome: "Failed", errorClass: "Permanent");
        var then = await OpsSeed.FileAsync(Database, first, "docs", "fails-then-succeeds.pdf", outcome: "Failed", errorClass: "Transient");
        var second = await OpsSeed.BatchAsync(Database, run, "docs");
        await Database.ExecuteAsync(
            "insert into orchestrator.batch_result (batch_id, file_version_id, source_directory_file_id, outcome) values ($1, $2, 'dfl-again-' || $2, 'Failed')", second, twice);
        await Database.ExecuteAsync(
            "insert into orchestrator.batch_result (batch_id, file_version_id, source_directory_file_id, job_id, outcome, follow_up_state) values ($1, $2, 'dfl-again-' || $2, 'pjb-again', 'Succeeded', 'FollowedUp')",
            second, then);
        await Database.ExecuteAsync("update orchestrator.file_version set batch_id = $1, state = case when id = $2 then 'Failed' else 'Succeeded' end where id in ($2, $3)", second, twice, then);

        var day = await Overview.LastDayAsync(["docs"], Ct);
        var chart = await Overview.DailyOutcomesAsync(30, ["docs"], Ct);
        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(["docs"], Ct);
        var last = await Overview.LastRunsAsync(["docs"], Ct);

        Assert.Equal((1L, 1L), (day.Value(day.Rows[0], "Done"), day.Value(day.Rows[0], "Failed")));
        Assert.Equal((1L, 1L), (chart.Value(chart.Rows[^1], "Succeeded"), chart.Value(chart.Rows[^1], "Failed")));
        Assert.Equal(
            [("docs\u001fFailed", 1.0), ("docs\u001fSucceeded", 1.0)],
            gauges.Where(g => g.Metric == "files_ended_last_hour").Select(g => (g.Label, g.Value)).Order());
        // The run's own count is of what each of its batches ended with: three failures and a success.
        Assert.Equal((1L, 3L), (last.Value(last.Rows[0], "Done"), last.Value(last.Rows[0], "Failed")));
    }

    [Fact]
    public async Task OverAWindow_ARemoteFileOfNoVersionOfOurs_CountsOnceToo()
    {
        // A RemoteOnly directory's unsupported file fails in each batch over it: one failed file, named by its remote id.
        var run = await OpsSeed.RunAsync(Database, "docs");
        foreach (var _ in new[] { 1, 2, 3 })
        {
            var batch = await OpsSeed.BatchAsync(Database, run, "docs");
            await Database.ExecuteAsync(
                "insert into orchestrator.batch_result (batch_id, source_directory_file_id, outcome, error_class) values ($1, 'dfl-tool', 'Failed', 'Permanent')", batch);
        }

        var day = await Overview.LastDayAsync(["docs"], Ct);

        Assert.Equal((0L, 1L), (day.Value(day.Rows[0], "Done"), day.Value(day.Rows[0], "Failed")));
    }

    [Fact]
    public async Task Charts_HaveADayPerDayOfTheWindow_WithTodaysOutcomesAndRunDurations()
    {
        var run = await OpsSeed.RunAsync(Database, "docs", started: "now() - interval '2 minutes'");
        var batch = await OpsSeed.BatchAsync(Database, run, "docs");
        await OpsSeed.FileAsync(Database, batch, "docs", "a.pdf");
        await OpsSeed.FileAsync(Database, batch, "docs", "b.bin", outcome: "Failed");
        var other = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "other"), "other");
        await OpsSeed.FileAsync(Database, other, "other", "c.pdf");

        var all = await Overview.DailyOutcomesAsync(30, ["docs", "other"], Ct);
        var docs = await Overview.DailyOutcomesAsync(30, ["docs"], Ct);
        var durations = await Overview.DailyRunDurationsAsync(30, ["docs"], Ct);

        Assert.Equal(30, all.Rows.Count);
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow), all.Rows[^1][0]);
        Assert.Equal((2L, 1L), (all.Value(all.Rows[^1], "Succeeded"), all.Value(all.Rows[^1], "Failed")));
        Assert.Equal((1L, 1L), (docs.Value(docs.Rows[^1], "Succeeded"), docs.Value(docs.Rows[^1], "Failed")));
        Assert.All(all.Rows.SkipLast(1), row => Assert.Equal(0L, all.Value(row, "Succeeded")));
        // The run counts on the day it started: yesterday, in a day's first two minutes (UTC).
        var startDay = DateOnly.Parse(await Database.ScalarAsync<string>("select to_char(started_at at time zone 'utc', 'YYYY-MM-DD') from orchestrator.run where id = $1", run), System.Globalization.CultureInfo.InvariantCulture);
        var started = durations.Rows.Single(row => Equals(row[0], startDay));
        Assert.Equal(1L, durations.Value(started, "Runs"));
        Assert.InRange((double)durations.Value(started, "Longest seconds")!, 119, 150);
        Assert.All(durations.Rows.Where(row => !Equals(row[0], startDay)), row => Assert.Null(durations.Value(row, "Median seconds"))); // no run: no length, not 0
    }

    [Fact]
    public async Task Charts_CountTheConfiguredSources_AsTheTablesBesideThemAndTheGauges_NotARemovedSourcesHistory()
    {
        var docs = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "docs"), "docs");
        await OpsSeed.FileAsync(Database, docs, "docs", "a.pdf");
        // "gone" was taken out of Sources after its run today: its failures are history, not today's outcomes.
        var gone = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "gone"), "gone");
        await OpsSeed.FileAsync(Database, gone, "gone", "b.bin", outcome: "Failed");

        var chart = await Overview.DailyOutcomesAsync(30, ["docs"], Ct);
        var durations = await Overview.DailyRunDurationsAsync(30, ["docs"], Ct);
        var day = await Overview.LastDayAsync(["docs"], Ct);
        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(["docs"], Ct);

        Assert.Equal((1L, 0L), (chart.Value(chart.Rows[^1], "Succeeded"), chart.Value(chart.Rows[^1], "Failed")));
        Assert.Equal((day.Value(day.Rows.Single(), "Done"), day.Value(day.Rows.Single(), "Failed")), (chart.Value(chart.Rows[^1], "Succeeded"), chart.Value(chart.Rows[^1], "Failed")));
        Assert.DoesNotContain(gauges, g => g is { Metric: "files", Label: "Failed" });
        Assert.Equal(1L, durations.Rows.Sum(r => (long)durations.Value(r, "Runs")!));
    }

    [Fact]
    public async Task Gauges_GiveEachConfiguredSourceItsLastSuccess_OrWhenItFirstRan_AndCountMissedWebhooks()
    {
        await OpsSeed.RunAsync(Database, "docs", finished: "'2026-01-02T03:04:05Z'");
        await OpsSeed.RunAsync(Database, "docs", state: "Failed", finished: "now()");
        await OpsSeed.RunAsync(Database, "broken", state: "Failed");
        await OpsSeed.RunAsync(Database, "removed");
        var run = await OpsSeed.RunAsync(Database, "docs");
        var batch = await OpsSeed.BatchAsync(Database, run, "docs");
        await OpsSeed.FileAsync(Database, batch, "docs", "a.pdf");
        await Database.ExecuteAsync("update orchestrator.batch set webhook_missed_at = now() where id = $1", batch);

        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(["docs", "broken"], Ct);

        var success = gauges.Where(g => g.Metric == "source_last_success").ToDictionary(g => g.Label, g => g.Value);
        Assert.Equal(["broken", "docs"], success.Keys.Order());
        Assert.True(success["docs"] > DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), "the latest successful run's end");
        var firstSeen = await Database.ScalarAsync<DateTime>("select created_at from orchestrator.source where name = 'broken'");
        Assert.Equal(new DateTimeOffset(firstSeen, TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0, success["broken"], tolerance: 0.01);
        Assert.Equal(1.0, gauges.Single(g => g.Metric == "webhooks_missed").Value);
    }

    [Fact]
    public async Task FilesGauge_CountsTheVersionsOfConfiguredSourcesOnly()
    {
        // A source taken out of the configuration keeps its rows (history), but they are no one's files now: counted, a
        // Failed one would keep a graph (or an alert on it) up for ever, as source_last_success would look overdue.
        var docs = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "docs"), "docs");
        await OpsSeed.FileAsync(Database, docs, "docs", "a.pdf");
        await OpsSeed.FileAsync(Database, docs, "docs", "b.bin", outcome: "Failed");
        var removed = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "removed"), "removed");
        await OpsSeed.FileAsync(Database, removed, "removed", "c.bin", outcome: "Failed");
        await OpsSeed.FileAsync(Database, removed, "removed", "d.bin", outcome: "Failed");

        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(["docs"], Ct);

        Assert.Equal(
            [("Failed", 1.0), ("Succeeded", 1.0)],
            gauges.Where(g => g.Metric == "files").Select(g => (g.Label, g.Value)).Order());
    }

    [Fact]
    public async Task LastSuccess_IsTheLastRunWithAFileThatSucceeded_OrWithNothingToDo_NeverOneWhoseBatchesEndedWithNoFileDone()
    {
        // docs succeeded once; then every file of a run failed (refused by its batch, or its job failed at follow-up),
        // and every file of the next was skipped: each of them Completed, as its batches ended.
        var once = await OpsSeed.RunAsync(Database, "docs", finished: "'2026-01-02T03:04:05Z'");
        await OpsSeed.FileAsync(Database, await OpsSeed.BatchAsync(Database, once, "docs"), "docs", "a.pdf");
        var allFailed = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "docs", finished: "now() - interval '5 minutes'"), "docs");
        await OpsSeed.FileAsync(Database, allFailed, "docs", "b.bin", outcome: "Failed");
        await OpsSeed.FileAsync(Database, allFailed, "docs", "c.pdf", jobStatus: "FAILED", followUp: "FollowUpFailed");
        var allSkipped = await OpsSeed.RunAsync(Database, "docs", finished: "now()");
        await OpsSeed.FileAsync(Database, await OpsSeed.BatchAsync(Database, allSkipped, "docs"), "docs", "d.pdf", outcome: "Skipped");

        // One file done of two is a success.
        var mixed = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "mixed", finished: "'2026-03-04T05:06:07Z'"), "mixed");
        await OpsSeed.FileAsync(Database, mixed, "mixed", "e.bin", outcome: "Failed");
        await OpsSeed.FileAsync(Database, mixed, "mixed", "f.pdf");

        // A scan with nothing to do succeeds, after a run whose every file failed too.
        var failedFirst = await OpsSeed.RunAsync(Database, "quiet", finished: "'2026-04-01T00:00:00Z'");
        await OpsSeed.FileAsync(Database, await OpsSeed.BatchAsync(Database, failedFirst, "quiet"), "quiet", "g.bin", outcome: "Failed");
        await OpsSeed.RunAsync(Database, "quiet", state: "NoChanges", finished: "'2026-04-05T06:07:08Z'");

        // A batch given up before it reached LlamaCloud sent its files back to the queue: the run did nothing.
        await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "requeued", finished: "'2026-05-06T07:08:09Z'"), "requeued", state: "Failed");

        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(["docs", "mixed", "quiet", "requeued"], Ct);

        var success = gauges.Where(g => g.Metric == "source_last_success").ToDictionary(g => g.Label, g => g.Value);
        Assert.Equal(Unix("2026-01-02T03:04:05Z"), success["docs"]);
        Assert.Equal(Unix("2026-03-04T05:06:07Z"), success["mixed"]);
        Assert.Equal(Unix("2026-04-05T06:07:08Z"), success["quiet"]);
        var firstRun = await Database.ScalarAsync<DateTime>("select created_at from orchestrator.source where name = 'requeued'");
        Assert.Equal(new DateTimeOffset(firstRun, TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0, success["requeued"], tolerance: 0.01); // as if it never succeeded
    }

    private static double Unix(string instant) =>
        DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();
}
