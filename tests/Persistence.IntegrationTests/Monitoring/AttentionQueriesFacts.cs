namespace BatchOrchestrator.Persistence.IntegrationTests.Monitoring;

/// <summary>"Needs a person" finds every kind of thing an operator must act on, and nothing on a healthy source.</summary>
public sealed class AttentionQueriesFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private AttentionQueries Queries => new(Database.DataSource);

    [Fact]
    public async Task EveryKind_IsFound_WithItsSourceBatchAndCount()
    {
        var run = await OpsSeed.RunAsync(Database, "docs");
        var stuck = await OpsSeed.BatchAsync(Database, run, "docs", state: "Running", finished: null);
        await Database.ExecuteAsync("update orchestrator.batch set stuck_since = now() where id = $1", stuck);
        var recorded = await OpsSeed.BatchAsync(Database, run, "docs", configurationId: "cfg-OLD");
        var waiting = await OpsSeed.FileAsync(Database, recorded, "docs", "a.pdf", followUp: "Recorded");
        await Database.ExecuteAsync("update orchestrator.batch_result set stuck_since = now() where file_version_id = $1", waiting);
        await OpsSeed.FileAsync(Database, recorded, "docs", "b.pdf", followUp: "FollowUpFailed");
        var partial = await OpsSeed.FileAsync(Database, recorded, "docs", "c.pdf");
        // Its job COMPLETED without page 2: delivered, and not the whole document.
        await Database.ExecuteAsync("update orchestrator.batch_result set failed_pages = '{2}', failed_page_error = 'unreadable' where file_version_id = $1", partial);
        await OpsSeed.FileAsync(Database, recorded, "docs", "d.bin", outcome: "Failed", errorClass: "Permanent");
        await OpsSeed.FileAsync(Database, recorded, "docs", "e.bin", outcome: "Failed", errorClass: "Permanent");
        await OpsSeed.FileAsync(Database, recorded, "docs", "f.pdf", outcome: "Failed", errorClass: "Auth");
        await OpsSeed.FileAsync(Database, recorded, "docs", "g.pdf", outcome: "Failed", errorClass: "Transient"); // the next run retries it: nobody is needed
        // Failed for passing reasons on each of the source's three tries: no run takes them again, a person must.
        foreach (var (path, errorClass) in new[] { ("i.pdf", "Transient"), ("j.pdf", "Throttled") })
        {
            var usedUp = await OpsSeed.FileAsync(Database, recorded, "docs", path, outcome: "Failed", errorClass: errorClass);
            await Database.ExecuteAsync("update orchestrator.file_version set process_attempts = 3, error_message = '503 Service Unavailable' where id = $1", usedUp);
        }

        // Its job failed at LlamaCloud: the follow-up ended FollowUpFailed, the file Failed. A permanent failure, not a
        // follow-up to retry ("Retry follow-ups" takes only results of jobs that succeeded).
        var failedJob = await OpsSeed.FileAsync(Database, recorded, "docs", "h.pdf", jobStatus: "FAILED", followUp: "FollowUpFailed");
        await Database.ExecuteAsync("update orchestrator.file_version set state = 'Failed', error_class = 'Permanent', error_message = 'Document is password protected' where id = $1", failedJob);
        // A batch whose submit step could not check whether LlamaCloud made it: its files wait for a person to look there,
        // said per batch and not among the permanent failures (a retry of those leaves them alone).
        var unconfirmed = await OpsSeed.BatchAsync(Database, run, "docs", state: "Failed");
        foreach (var path in new[] { "k.pdf", "l.pdf" })
        {
            await OpsSeed.FileAsync(Database, unconfirmed, "docs", path, outcome: "Failed", errorClass: "Unconfirmed");
        }
        await Database.ExecuteAsync("update orchestrator.batch set unconfirmed_since = now(), remote_batch_id = null, file_count = 2 where id = $1", unconfirmed);
        await Database.ExecuteAsync("update orchestrator.batch set webhook_missed_at = now() where id = $1", recorded);
        // The run's scan found 4 files and its patterns took none of them; the failed run after it scanned nothing.
        await Database.ExecuteAsync("update orchestrator.run set scanned_at = now(), files_left_out_by_patterns = 4 where id = $1", run);
        await OpsSeed.RunAsync(Database, "docs", state: "Failed");
        await OpsSeed.HeldAsync(Database, "docs", run, 2);
        await Database.ExecuteAsync("insert into orchestrator.project_pause (project, reason, next_probe_at, last_error) values ('default', 'credits_exhausted', now(), '402 Payment Required')");
        // A RemoteOnly source's batches: results no file of ours names; only the latest batch's are counted.
        long remoteBatch = 0;
        foreach (var results in new[] { 1, 2 })
        {
            remoteBatch = await OpsSeed.BatchAsync(Database, run, "docs");
            await Database.ExecuteAsync("update orchestrator.batch set layout = 'RemoteOnly', remote_directory_id = 'dir-theirs' where id = $1", remoteBatch);
            for (var i = 0; i < results; i++)
            {
                await Database.ExecuteAsync(
                    "insert into orchestrator.batch_result (batch_id, source_directory_file_id, job_id, outcome, follow_up_state) values ($1, $2, $3, 'Succeeded', 'FollowUpFailed')",
                    remoteBatch, $"dfl-{remoteBatch}-{i}", $"pjb-{remoteBatch}-{i}");
            }
        }

        var table = await Queries.NeedsAPersonAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC", 3)], Day, Ct);

        var found = table.Rows.ToDictionary(r => (string)table.Value(r, "Kind")!, r => (Batch: table.Value(r, "Batch") as long?, Count: (long)table.Value(r, "Count")!));
        Assert.Equal(AttentionQueries.Kinds.Order(), found.Keys.Order());
        Assert.All(table.Rows.Where(r => (string)table.Value(r, "Kind")! != "project-paused"), r => Assert.Equal("docs", table.Value(r, "Source")));
        Assert.Equal((stuck, 1L), found["stuck-batch"]);
        Assert.Equal((recorded, 1L), found["stuck-jobs"]);
        Assert.Equal((recorded, 1L), found["follow-ups-failed"]);
        Assert.Equal((recorded, 1L), found["partial-results"]);
        Assert.Equal("c.pdf: page 2 (unreadable)", table.Value(table.Rows.Single(r => (string)table.Value(r, "Kind")! == "partial-results"), "Detail"));
        Assert.Equal(3L, found["permanent-failures"].Count);
        Assert.Equal((unconfirmed, 2L), found["unconfirmed-batch"]);
        // Not one file's reason said as if it were all three's.
        Assert.Equal(
            "for 2 different reasons, such as Document is password protected",
            table.Value(table.Rows.Single(r => (string)table.Value(r, "Kind")! == "permanent-failures"), "Detail"));
        Assert.Equal(1L, found["auth-failures"].Count);
        Assert.Equal(2L, found["retries-used-up"].Count); // not g.pdf, with tries left
        Assert.Equal("503 Service Unavailable", table.Value(table.Rows.Single(r => (string)table.Value(r, "Kind")! == "retries-used-up"), "Detail"));
        Assert.Equal((recorded, 1L), found["webhooks-missed"]);
        // a.pdf, b.pdf and c.pdf succeeded under cfg-OLD; the source now runs cfg-PARSE_AGENTIC.
        Assert.Equal(3L, found["older-configuration"].Count);
        var held = table.Rows.Single(r => (string)table.Value(r, "Kind")! == "held-by-cap");
        Assert.Equal((2L, run, "held by the Day cap on global"), ((long)table.Value(held, "Count")!, table.Value(held, "Run"), table.Value(held, "Detail")));
        Assert.Equal((remoteBatch, 2L), found["results-undelivered"]);
        var tookNone = table.Rows.Single(r => (string)table.Value(r, "Kind")! == "patterns-took-none");
        Assert.Equal((4L, run), ((long)table.Value(tookNone, "Count")!, table.Value(tookNone, "Run")));
        var paused = table.Rows.Single(r => (string)table.Value(r, "Kind")! == "project-paused");
        Assert.Equal("default", table.Value(paused, "Source"));
        Assert.Equal("credits_exhausted: 402 Payment Required", table.Value(paused, "Detail"));
    }

    [Fact]
    public async Task FailuresOfFilesNoLongerInTheFolder_NeedNobody_AsTheSourcesPageCountsThem()
    {
        var run = await OpsSeed.RunAsync(Database, "docs");
        var batch = await OpsSeed.BatchAsync(Database, run, "docs");
        // Failed, then deleted from the folder: its story stays on its page, but nothing is left to fix or retry.
        await OpsSeed.FileAsync(Database, batch, "docs", "gone.bin", outcome: "Failed", errorClass: "Permanent");
        await Database.ExecuteAsync("update orchestrator.source_file set deleted_at = now() where relative_path = 'gone.bin'");
        // Failed, then replaced by content that succeeded: the operator fixed the file as "Needs a person" asked.
        foreach (var (path, errorClass) in new[] { ("fixed.pdf", "Permanent"), ("key.pdf", "Auth"), ("busy.pdf", "Transient") })
        {
            var old = await OpsSeed.FileAsync(Database, batch, "docs", path, outcome: "Failed", errorClass: errorClass);
            await Database.ExecuteAsync("update orchestrator.file_version set process_attempts = 3, sha256 = sha256('old'::bytea || $1::bytea), dedupe_key = 'old ' || $1 where id = $2", path, old);
            await OpsSeed.FileAsync(Database, batch, "docs", path, onDisk: false);
        }

        var table = await Queries.NeedsAPersonAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC", 3)], Day, Ct);
        var sources = await new OpsQueries(Database.DataSource).SourcesAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC")], Ct);

        Assert.Equal("{\"Succeeded\": 3}", sources.Value(sources.Rows[0], "Files by state"));
        Assert.Empty(table.Rows);
    }

    [Fact]
    public async Task FilesHeldByACap_AreHeldSinceTheyWereFirstHeld_AndNameARunOnlyWhenOneHoldsThemAll()
    {
        var first = await OpsSeed.RunAsync(Database, "docs", state: "NoChanges");
        await OpsSeed.HeldAsync(Database, "docs", first, 2);
        // Each later planning holds them again, touching updated_at; held_at stays when they were first held.
        await Database.ExecuteAsync("update orchestrator.file_version set held_at = '2026-12-01 02:00:00+00', updated_at = now()");

        var one = await Queries.NeedsAPersonAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC", 3)], Day, Ct);
        var later = await OpsSeed.RunAsync(Database, "docs", state: "NoChanges");
        await Database.ExecuteAsync("update orchestrator.file_version set held_run_id = $1 where relative_path = 'held-1.pdf'", later);
        var two = await Queries.NeedsAPersonAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC", 3)], Day, Ct);

        Assert.Equal(new DateTime(2026, 12, 1, 2, 0, 0, DateTimeKind.Utc), one.Value(one.Rows.Single(), "Since"));
        Assert.Equal(first, one.Value(one.Rows.Single(), "Run")); // 'approve <run>' lets them all go
        Assert.Null(two.Value(two.Rows.Single(), "Run")); // one run's approval would let only some go
    }

    [Fact]
    public async Task ABatchOrJobStuckOnce_ThatEndedSince_IsStuckNowhere_NotInTheGaugesTheAlertsRead()
    {
        // The watchdog flagged both (stuck_since stays, as history on the Batches page); then the batch was recorded
        // and the job's result fetched.
        var run = await OpsSeed.RunAsync(Database, "docs");
        var batch = await OpsSeed.BatchAsync(Database, run, "docs");
        var file = await OpsSeed.FileAsync(Database, batch, "docs", "a.pdf");
        await Database.ExecuteAsync("update orchestrator.batch set stuck_since = now() - interval '1 hour' where id = $1", batch);
        await Database.ExecuteAsync("update orchestrator.batch_result set stuck_since = now() - interval '1 hour' where file_version_id = $1", file);

        var attention = await Queries.NeedsAPersonAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC", 3)], Day, Ct);
        var sources = await new OpsQueries(Database.DataSource).SourcesAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC")], Ct);
        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(["docs"], Ct);

        Assert.Empty(attention.Rows);
        Assert.Equal(0L, sources.Value(sources.Rows[0], "Stuck batches"));
        Assert.Equal([("batch", 0.0), ("job", 0.0)], gauges.Where(g => g.Metric == "stuck").Select(g => (g.Label, g.Value)).Order());
    }

    [Fact]
    public async Task FilesOfASourceNoLongerConfigured_NeedNobody_AsTheGaugesCountThem()
    {
        // A source taken out of Sources keeps its files (history): its failures, partial results and held files are not
        // the configured sources' business, the gauges leave them out, and the verb status names for each ('retry
        // <source> --failed', 'approve') would be refused or only queue a run that is skipped.
        var run = await OpsSeed.RunAsync(Database, "removed");
        var batch = await OpsSeed.BatchAsync(Database, run, "removed");
        await OpsSeed.FileAsync(Database, batch, "removed", "corrupt.bin", outcome: "Failed", errorClass: "Permanent");
        await OpsSeed.FileAsync(Database, batch, "removed", "key.pdf", outcome: "Failed", errorClass: "Auth");
        var partial = await OpsSeed.FileAsync(Database, batch, "removed", "scan.pdf");
        await Database.ExecuteAsync("update orchestrator.batch_result set failed_pages = '{2}' where file_version_id = $1", partial);
        await OpsSeed.HeldAsync(Database, "removed", run, 2);
        await OpsSeed.RunAsync(Database, "docs");

        var table = await Queries.NeedsAPersonAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC", 3)], Day, Ct);
        var gauges = await new MetricsQueries(Database.DataSource).GaugesAsync(["docs"], Ct);

        Assert.Equal([("partial_results", "docs", 0.0)], gauges.Where(g => g.Metric == "partial_results"));
        Assert.DoesNotContain(gauges, g => g.Metric == "files");
        Assert.Empty(table.Rows.Select(r => $"{table.Value(r, "Kind")} {table.Value(r, "Source")}"));
    }

    [Fact]
    public async Task StuckJobs_OfAClassifierBatch_SaySo_ForCancelJobsCannotCancelThem()
    {
        // 'cancel jobs' leaves a v1_classify batch's jobs alone (we speak no cancel for a classifier job): the item must
        // not send an operator to it as to a parse batch's.
        var run = await OpsSeed.RunAsync(Database, "docs");
        var parse = await OpsSeed.BatchAsync(Database, run, "docs");
        var classify = await OpsSeed.BatchAsync(Database, run, "docs", jobType: "v1_classify");
        await OpsSeed.FileAsync(Database, parse, "docs", "a.pdf", followUp: "Recorded");
        await OpsSeed.FileAsync(Database, classify, "docs", "b.pdf", followUp: "Recorded");
        await Database.ExecuteAsync("update orchestrator.batch_result set stuck_since = now(), job_type = b.job_type from orchestrator.batch b where b.id = batch_id");

        var table = await Queries.NeedsAPersonAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC", 3)], Day, Ct);

        Assert.Equal(
            [(parse, null), (classify, "v1_classify")],
            table.Rows.Where(r => (string)table.Value(r, "Kind")! == "stuck-jobs")
                .Select(r => ((long)table.Value(r, "Batch")!, table.Value(r, "Detail") as string)).Order());
    }

    [Fact]
    public async Task FilesUnderAnOlderConfiguration_AreTheFilesInTheFolderNow_SoThatReprocessingClearsThem()
    {
        // Processed under cfg-OLD: a.pdf as it is now; b.pdf, edited since and sent again under the current
        // configuration; c.pdf, deleted since. Only a.pdf is a file a reprocess could send: the others are history, and
        // counted they would stay on Needs a person and Sources whatever an operator did.
        var run = await OpsSeed.RunAsync(Database, "docs");
        var old = await OpsSeed.BatchAsync(Database, run, "docs", configurationId: "cfg-OLD");
        var current = await OpsSeed.BatchAsync(Database, run, "docs");
        var a = await OpsSeed.FileAsync(Database, old, "docs", "a.pdf");
        var edited = await OpsSeed.FileAsync(Database, old, "docs", "b.pdf");
        await Database.ExecuteAsync("update orchestrator.file_version set sha256 = sha256('old'::bytea), dedupe_key = 'old b' where id = $1", edited);
        await OpsSeed.FileAsync(Database, current, "docs", "b.pdf", onDisk: false);
        await OpsSeed.FileAsync(Database, old, "docs", "c.pdf");
        await Database.ExecuteAsync("update orchestrator.source_file set deleted_at = now() where relative_path = 'c.pdf'");
        var sources = new OpsQueries(Database.DataSource);
        IReadOnlyList<(string, string)> configured = [("docs", "parse_v2 cfg-PARSE_AGENTIC")];

        var table = await Queries.NeedsAPersonAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC", 3)], Day, Ct);
        var before = await sources.SourcesAsync(configured, Ct);
        // a.pdf reprocessed: back in the queue, then sent under the current configuration.
        await Database.ExecuteAsync("update orchestrator.file_version set batch_id = $1 where id = $2", current, a);
        var after = await Queries.NeedsAPersonAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC", 3)], Day, Ct);

        Assert.Equal(1L, table.Value(table.Rows.Single(r => (string)table.Value(r, "Kind")! == "older-configuration"), "Count"));
        Assert.Equal(1L, before.Value(before.Rows[0], "Under an older configuration"));
        Assert.DoesNotContain(after.Rows, r => (string)after.Value(r, "Kind")! == "older-configuration");
    }

    [Fact]
    public async Task AHealthySource_NeedsNobody()
    {
        var run = await OpsSeed.RunAsync(Database, "docs");
        var batch = await OpsSeed.BatchAsync(Database, run, "docs");
        await OpsSeed.FileAsync(Database, batch, "docs", "a.pdf");

        var table = await Queries.NeedsAPersonAsync([("docs", "parse_v2 cfg-PARSE_AGENTIC", 3)], Day, Ct);

        Assert.Empty(table.Rows);
    }
}
