namespace BatchOrchestrator.Worker.IntegrationTests.CommandLine;

/// <summary>The verbs an operator acts with (retry, cancel, approve, reprocess), each on a real database, as Program.cs runs it.</summary>
public sealed class OperatorVerbFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task RetryFailed_PutsFailedFilesBackAndQueuesARun_WhileRetryAloneOnlyQueuesARun_AndNothingToRetryQueuesNone()
    {
        await File.WriteAllTextAsync(Path.Combine(Env.Inbox, "unsupported.bin"), "not a document", Ct);
        await using (var host = await WorkerHost.StartAsync(Env.Root, Env.Settings()))
        {
            host.TriggerRun();
            await Env.WaitForEndedAsync(1);
        }

        Assert.Equal("Failed", await Env.Database.ScalarAsync<string>("select state from orchestrator.file_version"));
        var (plain, plainOutput) = await RunAsync("retry", "e2e");
        Assert.Equal(0, plain);
        Assert.Equal("A run of e2e is queued.", plainOutput.Trim());
        Assert.Equal("Failed", await Env.Database.ScalarAsync<string>("select state from orchestrator.file_version"));

        // An unsupported type is a permanent failure: --failed leaves it alone, --permanent sends it again.
        var (exitCode, output) = await RunAsync("retry", "e2e", failed: true);
        Assert.Equal(0, exitCode);
        // Nothing to put back: no run is started, and the answer says why nothing was taken.
        Assert.Equal(
            "No failed file of e2e to queue again (permanent failures are left alone: --permanent, or 'Retry them, permanent failures too' on the dashboard, sends them too; an unconfirmed batch's files, --unconfirmed <batch-id> once you looked for that batch at LlamaCloud); no run was started.",
            output.Trim());
        Assert.Equal("Failed", await Env.Database.ScalarAsync<string>("select state from orchestrator.file_version"));

        var (forced, forcedOutput) = await RunAsync("retry", "e2e", failed: true, permanent: true);

        Assert.Equal(0, forced);
        Assert.StartsWith("1 failed file (permanent failures included) of e2e is queued again", forcedOutput, StringComparison.Ordinal);
        Assert.Equal("Discovered", await Env.Database.ScalarAsync<string>("select state from orchestrator.file_version"));
        // One run queued by the plain retry and one by the retry that put a file back; none by the one that found nothing.
        Assert.Equal(2L, await Env.Database.ScalarAsync<long>("select count(*) from hangfire.job where statename = 'Enqueued' and invocationdata::text like '%RunSourceJob%'"));
    }

    [Fact]
    public async Task Cancel_EndsABatchThatHasNotReachedTheApi_AndSaysSo_WhenNothingIsLeftOpen()
    {
        await Env.WriteFilesAsync(2);
        await RunAsync("scan", "e2e");
        var batchId = await Env.Database.ScalarAsync<long>("select id from orchestrator.batch");
        var runId = await Env.Database.ScalarAsync<long>("select run_id from orchestrator.batch");

        var (exitCode, output) = await RunAsync("cancel-run", runId.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(0, exitCode);
        Assert.Equal($"batch {batchId}: CancelledLocally", output.Trim());
        Assert.Equal("ResultsRecorded", await Env.Database.ScalarAsync<string>("select state from orchestrator.batch"));
        Assert.Equal((0, $"Run {runId} has no batch that has not ended."), Trimmed(await RunAsync("cancel-run", runId.ToString(CultureInfo.InvariantCulture))));
        Assert.Equal((0, $"Run {runId} holds no file under a cap (see 'status' or 'costs'); nothing was approved."), Trimmed(await RunAsync("approve", runId.ToString(CultureInfo.InvariantCulture))));

        static (int, string) Trimmed((int ExitCode, string Output) result) => (result.ExitCode, result.Output.Trim());
    }

    [Fact]
    public async Task CancelRun_OfARunStillScanning_SaysTheBatchesItPlansAreCancelled_AndRecordsItOnTheRun()
    {
        // It has planned no batch yet: "no batch that has not ended" read as done, and its batches went out a moment later.
        var runId = await Env.Database.ScalarAsync<long>("""
            with s as (insert into orchestrator.source (name) values ('e2e') on conflict do nothing)
            insert into orchestrator.run (source_name, trigger, state) values ('e2e', 'Manual', 'Scanning') returning id
            """);

        var (exitCode, output) = await RunAsync("cancel-run", runId.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(0, exitCode);
        Assert.Equal($"Run {runId} is still scanning: each batch it plans is cancelled before anything of it is sent (its files end Skipped).", output.Trim());
        Assert.True(await Env.Database.ScalarAsync<bool>("select cancel_requested_at is not null from orchestrator.run where id = $1", runId));
    }

    [Theory]
    [InlineData("cancel-batch", "cancel batch: there is no batch 999999 ('status' lists the open batches, the dashboard every batch at /hangfire/ops/batches)")]
    [InlineData("cancel-jobs", "cancel jobs: there is no batch 999999 ('status' lists the open batches, the dashboard every batch at /hangfire/ops/batches)")]
    [InlineData("cancel-run", "cancel run: there is no run 999999 ('status' lists the 10 latest runs with changes, the dashboard every run at /hangfire/ops/runs)")]
    [InlineData("approve", "approve: there is no run 999999 ('status' lists the 10 latest runs with changes, the dashboard every run at /hangfire/ops/runs)")]
    public async Task AVerbGivenAnId_ExitsTwoSayingOnStderrWhereIdsAreListed_WhenNoSuchRunOrBatchExists(string verb, string expected)
    {
        // A mistyped id is bad usage, as an unknown source is (VerbExit): a script tells it from a failure, and the
        // line says where the ids are, on stderr so a script that keeps stdout as the answer still shows it.
        var (exitCode, output, errors) = await WorkerHost.RunVerbSplitAsync(Env.Root, Env.VerbSettings(verb, "999999"));

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Equal(expected, errors.Trim());
    }

    [Fact]
    public async Task ARemovedSource_IsOfferedNoRetryOnItsFilePage_NorAnApprovalOfItsRun_ButToldToPutItBackOrRenameIt()
    {
        // "gone" ran, a file failed and two were held by a cap; then it was taken out of Sources. A run queued for it
        // now is only skipped: offering a retry or taking an approval would promise what never happens.
        var run = await Env.Database.ScalarAsync<long>("""
            with s as (insert into orchestrator.source (name) values ('gone') on conflict do nothing)
            insert into orchestrator.run (source_name, trigger, state) values ('gone', 'Manual', 'Completed') returning id
            """);
        await Env.Database.ExecuteAsync("""
            insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, held_cap, held_run_id, held_reason)
            select 'gone', 'held-' || i || '.pdf', 1, 1, sha256(i::text::bytea), 'held-' || i, 'Held', 'global/Day', $1, 'held by the Day cap on global'
            from generate_series(1, 2) i
            """, run);
        var failed = await Env.Database.ScalarAsync<long>("""
            insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, error_class, error_message)
            values ('gone', 'failed.pdf', 1, 1, sha256('failed'::bytea), 'failed', 'Failed', 'Transient', 'the service was busy') returning id
            """);

        var (exitCode, output, errors) = await WorkerHost.RunVerbSplitAsync(Env.Root, Env.VerbSettings("approve", run.ToString(CultureInfo.InvariantCulture)));

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.StartsWith($"approve: Run {run} is of 'gone', which is no longer configured", errors.Trim(), StringComparison.Ordinal);
        Assert.Contains("rename-source", errors, StringComparison.Ordinal);
        Assert.Equal(2L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held' and cap_approved_at is null")); // none approved

        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        using var local = new DashboardClient(host.Address); // a local request acts as an operator
        var page = await local.GetPageAsync($"hangfire/ops/files/{failed}");
        Assert.DoesNotContain("Retry failed files of", page, StringComparison.Ordinal);
        Assert.Contains("gone is no longer configured: put it back in Sources (or move its record to its new Name with rename-source)", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reprocess_ExitsOneSayingWhyOnStderr_WhenTheSourcesLayoutSendsEverythingAnyway()
    {
        var settings = Env.VerbSettings("reprocess", TestEnvironment.SourceName);
        settings["Sources:0:Layout"] = "Mirror";

        var (exitCode, output, errors) = await WorkerHost.RunVerbSplitAsync(Env.Root, settings);

        Assert.Equal(1, exitCode);
        Assert.Contains("can be sent again: 0", output, StringComparison.Ordinal); // the preview is the answer; the refusal is not
        Assert.StartsWith("reprocess: nothing sent: a Mirror source sends every file", errors.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("Nothing sent", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Reprocess_SaysHowManyFilesItWouldSend_AndSendsOnlyTheFilteredOnesWhenAsked()
    {
        // Two files recorded under a configuration the source no longer uses (e2e now runs parse_v2 cfg-PARSE_AGENTIC).
        var run = await Env.Database.ScalarAsync<long>("insert into orchestrator.run (source_name, trigger, state) values ('e2e', 'Manual', 'Completed') returning id");
        var batch = await Env.Database.ScalarAsync<long>("""
            insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, file_count, finished_at)
            values ($1, 'e2e', 'ResultsRecorded', 'parse_v2', 'cfg-PARSE_FAST', 'bo-old', 2, now()) returning id
            """, run);
        foreach (var path in new[] { "a/x.pdf", "b/y.pdf" })
        {
            await Env.Database.ExecuteAsync("""
                insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, batch_id, job_id)
                values ('e2e', $1, 1, 1, sha256($1::bytea), $1, 'Succeeded', $2, 'pjb-' || $1)
                """, path, batch);
            await Env.Database.ExecuteAsync("""
                insert into orchestrator.source_file (source_name, relative_path, size, mtime_ticks, first_seen_at, sha256)
                values ('e2e', $1, 1, 1, now(), sha256($1::bytea))
                """, path);
        }

        var (dryCode, dry) = await ReprocessAsync(dryRun: true);
        var (code, sent) = await ReprocessAsync(filter: "a/**");
        var (_, status) = await RunAsync("status");

        Assert.Equal(0, dryCode);
        Assert.Matches(@"parse_v2 cfg-PARSE_FAST\s+2", dry);
        Assert.Contains("can be sent again: 2", dry, StringComparison.Ordinal);
        Assert.Contains("Dry run: nothing sent.", dry, StringComparison.Ordinal);
        Assert.Equal(0, code);
        Assert.Contains("Selected (paths matching a/**): 1", sent, StringComparison.Ordinal);
        Assert.Contains("1 file of e2e is queued again under parse_v2 cfg-PARSE_AGENTIC", sent, StringComparison.Ordinal);
        Assert.Equal(
            [("a/x.pdf", "Discovered"), ("b/y.pdf", "Succeeded")],
            await Env.Database.ListAsync("select relative_path, state from orchestrator.file_version order by 1", r => (r.GetString(0), r.GetString(1))));
        Assert.Equal(1L, await Env.Database.ScalarAsync<long>("select count(*) from hangfire.job where statename = 'Enqueued' and invocationdata::text like '%RunSourceJob%'"));
        Assert.Matches(@"parse_v2 cfg-PARSE_AGENTIC\s+1\s*$", status.Split('\n').First(l => l.TrimStart().StartsWith("e2e", StringComparison.Ordinal)).TrimEnd()); // the Sources row
    }

    private Task<(int ExitCode, string Output)> RunAsync(string verb, string? target = null, bool failed = false, bool permanent = false)
    {
        var settings = Env.VerbSettings(verb, target);
        settings["Verb:Failed"] = failed ? "true" : "false";
        settings["Verb:IncludePermanent"] = permanent ? "true" : "false";
        return WorkerHost.RunVerbAsync(Env.Root, settings);
    }

    private Task<(int ExitCode, string Output)> ReprocessAsync(bool dryRun = false, string? filter = null)
    {
        var settings = Env.VerbSettings("reprocess", TestEnvironment.SourceName);
        settings["Verb:DryRun"] = dryRun ? "true" : "false";
        settings["Verb:Filter"] = filter;
        return WorkerHost.RunVerbAsync(Env.Root, settings);
    }
}
