namespace BatchOrchestrator.Worker.IntegrationTests.CommandLine;

/// <summary>
/// <c>rename-source</c>: a source's record given to a new Name (docs/sources.md, "A source is its Name"), so that the
/// source configured under it sends and bills nothing again; refused, with nothing changed, whenever that is not safe.
/// </summary>
public sealed class RenameSourceVerbFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private const string NewName = "docs";

    [Fact]
    public async Task Rename_ThenTheSourceUnderItsNewNameAndPath_SendsAndBillsNothingAgain_AndShowsItsFilesProcessed()
    {
        await Env.WriteFilesAsync(2);
        File.Copy(Path.Combine(Env.Inbox, "doc-000.txt"), Path.Combine(Env.Inbox, "copy.txt")); // a copy: file_copy moves too
        await using (var host = await WorkerHost.StartAsync(Env.Root, Env.Settings()))
        {
            host.TriggerRun();
            await Env.WaitForEndedAsync(2);
            await Env.EventuallyAsync(
                () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch where state <> 'ResultsRecorded'"), n => n == 0, TimeSpan.FromSeconds(60), "the batch to end");
        }

        var before = await Env.Admin.CountersAsync();
        var billed = await Env.Admin.CreditsBilledAsync();
        var charges = await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge");
        var oldRows = await RowsOfAsync(TestEnvironment.SourceName);

        // The folder moved too: the renamed source looks at a copy of it elsewhere.
        var moved = Path.Combine(Env.Root, "moved");
        Directory.CreateDirectory(moved);
        foreach (var file in Directory.GetFiles(Env.Inbox))
        {
            File.Copy(file, Path.Combine(moved, Path.GetFileName(file)));
        }

        var (exitCode, output) = await WorkerHost.RunVerbAsync(Env.Root, Renamed(Verb(TestEnvironment.SourceName, NewName)));

        Assert.Equal(0, exitCode);
        Assert.Contains("Moved from e2e to docs", output, StringComparison.Ordinal);
        Assert.Matches(@"file_copy\s+1\s+0", output);
        Assert.Contains($"Results delivered to files so far stay in {Path.Combine(Env.Root, "output", "e2e")}", output, StringComparison.Ordinal);
        Assert.Equal(0L, await RowsOfAsync(TestEnvironment.SourceName));
        Assert.Equal(oldRows, await RowsOfAsync(NewName));
        Assert.Equal(0L, await Env.Database.ScalarAsync<long>("select count(*) from hangfire.set where key = 'recurring-jobs' and value = 'run-source-e2e'"));

        var renamed = Renamed(Env.Settings());
        renamed["Sources:0:Path"] = "moved";
        var (scanCode, scan) = await WorkerHost.RunVerbAsync(Env.Root, With(renamed, "scan", NewName));
        var (_, status) = await WorkerHost.RunVerbAsync(Env.Root, With(renamed, "status", null));

        Assert.Equal(0, scanCode);
        Assert.Contains("It planned no batch: nothing was new or changed", scan, StringComparison.Ordinal);
        var after = await Env.Admin.CountersAsync();
        Assert.Equal(before.UploadsTotal, after.UploadsTotal);
        Assert.Equal(before.BatchCreatesTotal, after.BatchCreatesTotal);
        Assert.Equal(billed, await Env.Admin.CreditsBilledAsync());
        Assert.Equal(charges, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge"));
        Assert.Contains("Succeeded=3", status.Split('\n').First(l => l.TrimStart().StartsWith(NewName, StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rename_WhileTheServiceRunsUnderTheNewName_ItsNextRunTakesUpTheRecord()
    {
        await Env.WriteFilesAsync(2);
        await using (var host = await WorkerHost.StartAsync(Env.Root, Env.Settings()))
        {
            host.TriggerRun();
            await Env.WaitForEndedAsync(2);
            await Env.EventuallyAsync(
                () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch where state <> 'ResultsRecorded'"), n => n == 0, TimeSpan.FromSeconds(60), "the batch to end");
            // Followed up here too: a follow-up left for the renamed service would hold the old name's batch, which
            // rename-source waits for, and the run below would start later than its wait allows on a loaded machine.
            await Env.EventuallyAsync(
                () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state <> 'FollowedUp'"), n => n == 0, TimeSpan.FromSeconds(60), "the results to be followed up");
        }

        var uploads = (await Env.Admin.CountersAsync()).UploadsTotal;
        // The operator gave the source its new Name and restarted the service, which made docs' (empty) source row.
        await using (var service = await WorkerHost.StartAsync(Env.Root, Renamed(Env.Settings())))
        {
            var (exitCode, _) = await WorkerHost.RunVerbAsync(Env.Root, Renamed(Verb(TestEnvironment.SourceName, NewName)));
            service.TriggerRun("docs");
            await Env.EventuallyAsync(
                () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.run where source_name = 'docs' and finished_at is not null"), n => n == 2, TimeSpan.FromSeconds(60), "docs' run to end");

            Assert.Equal(0, exitCode);
            Assert.Equal("NoChanges", await Env.Database.ScalarAsync<string>("select state from orchestrator.run where source_name = 'docs' order by id desc limit 1"));
            Assert.Equal(uploads, (await Env.Admin.CountersAsync()).UploadsTotal);
        }
    }

    [Fact]
    public async Task DryRun_SaysWhatWouldMovePerTable_AndChangesNothing()
    {
        var batch = await SeedAsync("ResultsRecorded");

        var (exitCode, output) = await WorkerHost.RunVerbAsync(Env.Root, Renamed(Verb(TestEnvironment.SourceName, NewName, dryRun: true)));

        Assert.Equal(0, exitCode);
        Assert.Contains("Would move from e2e to docs", output, StringComparison.Ordinal);
        Assert.Matches(@"file_version\s+1\s+0", output);
        Assert.Matches(@"batch\s+1\s+0", output);
        Assert.Contains("Dry run: nothing changed.", output, StringComparison.Ordinal);
        Assert.Equal(0L, await RowsOfAsync(NewName));
        Assert.Equal(TestEnvironment.SourceName, await Env.Database.ScalarAsync<string>("select source_name from orchestrator.batch where id = $1", batch));
        Assert.Equal(0L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.lease where name like '%:' || $1", batch.ToString(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Rename_HandsOnATriggerOfTheNewNameKeptWhileItHeldItsLease_AsARunDoes()
    {
        await SeedAsync("ResultsRecorded");
        // A trigger of docs that found the rename holding its lease was kept on docs' (bare) source row.
        await Env.Database.ExecuteAsync("insert into orchestrator.source (name, rerun_requested_at) values ($1, now())", NewName);

        var (exitCode, _) = await WorkerHost.RunVerbAsync(Env.Root, Renamed(Verb(TestEnvironment.SourceName, NewName)));

        Assert.Equal(0, exitCode);
        Assert.Equal([NewName], await Env.Database.ListAsync("select name from orchestrator.source", r => r.GetString(0)));
        Assert.False(await Env.Database.ScalarAsync<bool>("select rerun_requested_at is not null from orchestrator.source"));
        Assert.Equal(1L, await Env.Database.ScalarAsync<long>(
            "select count(*) from hangfire.job where statename = 'Enqueued' and invocationdata::text like '%RunSourceJob%' and arguments::text like '%docs%'"));
    }

    [Fact]
    public async Task ARefusedRename_HandsOnATriggerOfTheOldNameKeptWhileItHeldItsLease_AsARunDoes()
    {
        await SeedAsync("ResultsRecorded");
        // The service still runs e2e: its trigger found the verb holding e2e's lease and was kept on e2e's source row.
        await Env.Database.ExecuteAsync("update orchestrator.source set rerun_requested_at = now() where name = 'e2e'");
        var settings = Verb(TestEnvironment.SourceName, NewName);
        settings["Sources:0:Name"] = TestEnvironment.SourceName;

        var (exitCode, _) = await WorkerHost.RunVerbAsync(Env.Root, settings);

        // Refused, it moved nothing, so the trigger is still e2e's, and nothing else would ever take it.
        Assert.Equal(1, exitCode);
        Assert.False(await Env.Database.ScalarAsync<bool>("select rerun_requested_at is not null from orchestrator.source where name = 'e2e'"));
        Assert.Equal(1L, await Env.Database.ScalarAsync<long>(
            "select count(*) from hangfire.job where statename = 'Enqueued' and invocationdata::text like '%RunSourceJob%' and arguments::text like '%e2e%'"));
    }

    [Fact]
    public async Task Rename_OfANameWithNoRecord_ExitsTwo_AndOfANameOntoItself_Too()
    {
        var (unknown, _, unknownErrors) = await WorkerHost.RunVerbSplitAsync(Env.Root, Renamed(Verb("nosuch", NewName)));
        var (same, _, sameErrors) = await WorkerHost.RunVerbSplitAsync(Env.Root, Renamed(Verb(NewName, NewName)));

        Assert.Equal(2, unknown);
        Assert.StartsWith("rename source: there is no record of a source named 'nosuch'", unknownErrors.Trim(), StringComparison.Ordinal);
        Assert.Equal(2, same);
        Assert.Equal("rename source: <old> and <new> are both 'docs'", sameErrors.Trim());
    }

    [Theory]
    [InlineData("configured", "Sources still has a source named 'e2e': give it the Name 'docs' first")]
    [InlineData("new-has-record", "'docs' has a record of its own (1 in run)")]
    [InlineData("open-batch", "batches of 'e2e' have not ended: ")]
    [InlineData("run-in-progress", "a run of 'e2e' is in progress")]
    [InlineData("new-runs", "a run of 'docs' is in progress")]
    [InlineData("follow-up", "a step of 'e2e' is under way (follow-up:")]
    public async Task Rename_IsRefusedWithNothingChanged_WhenItIsNotSafe(string situation, string reason)
    {
        var batch = await SeedAsync(situation == "open-batch" ? "Pending" : "ResultsRecorded");
        var settings = Renamed(Verb(TestEnvironment.SourceName, NewName));
        switch (situation)
        {
            case "configured":
                settings["Sources:0:Name"] = TestEnvironment.SourceName; // the configuration still runs the old name
                break;
            case "new-has-record":
                await Env.Database.ExecuteAsync("insert into orchestrator.run (source_name, trigger, state) values ($1, 'Manual', 'Completed')", NewName);
                break;
            case "run-in-progress":
                await HoldLeaseAsync("source:e2e");
                break;
            case "new-runs":
                await HoldLeaseAsync("source:docs");
                break;
            case "follow-up":
                await HoldLeaseAsync($"follow-up:{batch}");
                break;
        }

        var rows = await RowsOfAsync(TestEnvironment.SourceName);
        var newRows = await RowsOfAsync(NewName);

        var (exitCode, output, errors) = await WorkerHost.RunVerbSplitAsync(Env.Root, settings);

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"rename source: nothing changed: {reason}", errors.Trim(), StringComparison.Ordinal);
        Assert.Contains("Would move from e2e to docs", output, StringComparison.Ordinal);
        Assert.Equal(rows, await RowsOfAsync(TestEnvironment.SourceName));
        Assert.Equal(newRows, await RowsOfAsync(NewName));
    }

    /// <summary>A source that ran once: a run, a batch in <paramref name="state"/>, a file version, its look and its charge.</summary>
    private async Task<long> SeedAsync(string state)
    {
        await Env.Database.ExecuteAsync("insert into orchestrator.source (name) values ('e2e')");
        var run = await Env.Database.ScalarAsync<long>("insert into orchestrator.run (source_name, trigger, state) values ('e2e', 'Manual', 'Completed') returning id");
        var batch = await Env.Database.ScalarAsync<long>("""
            insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, file_count)
            values ($1, 'e2e', $2, 'parse_v2', 'cfg-PARSE_AGENTIC', 'bo-seeded', 1) returning id
            """, run, state);
        var version = await Env.Database.ScalarAsync<long>("""
            insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, batch_id, job_id)
            values ('e2e', 'a.pdf', 1, 1, sha256('a'::bytea), 'a', 'Succeeded', $1, 'pjb-a') returning id
            """, batch);
        await Env.Database.ExecuteAsync(
            "insert into orchestrator.source_file (source_name, relative_path, size, mtime_ticks, first_seen_at, sha256) values ('e2e', 'a.pdf', 1, 1, now(), sha256('a'::bytea))");
        await Env.Database.ExecuteAsync("""
            insert into orchestrator.credit_charge (file_version_id, batch_id, run_id, source_name, configuration_id, tier, pages, reserved_credits)
            values ($1, $2, $3, 'e2e', 'cfg-PARSE_AGENTIC', 'agentic', 1, 10)
            """, version, batch, run);
        return batch;
    }

    private Task HoldLeaseAsync(string name) => Env.Database.ExecuteAsync(
        "insert into orchestrator.lease (name, owner, fencing_token, expires_at) values ($1, 'another-instance', 1, now() + interval '1 hour')", name);

    /// <summary>Every row the name keys, in every table of ours with a source_name, and its own source row.</summary>
    private async Task<long> RowsOfAsync(string source)
    {
        var tables = await Env.Database.ListAsync(
            """
            select c.table_name::text from information_schema.columns c
            join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
            where c.table_schema = 'orchestrator' and c.column_name = 'source_name'
            """,
            r => r.GetString(0));
        var total = await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.source where name = $1", source);
        foreach (var table in tables)
        {
            total += await Env.Database.ScalarAsync<long>($"select count(*) from orchestrator.\"{table}\" where source_name = $1", source);
        }

        return total;
    }

    private Dictionary<string, string?> Verb(string from, string to, bool dryRun = false)
    {
        var settings = Env.VerbSettings(Verbs.RenameSource, from);
        settings["Verb:NewName"] = to;
        settings["Verb:DryRun"] = dryRun ? "true" : "false";
        return settings;
    }

    /// <summary>The configuration once the operator gave the source its new Name.</summary>
    private static Dictionary<string, string?> Renamed(Dictionary<string, string?> settings)
    {
        settings["Sources:0:Name"] = NewName;
        return settings;
    }

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, string verb, string? target)
    {
        var copy = new Dictionary<string, string?>(settings) { ["Verb:Name"] = verb, ["Verb:Target"] = target };
        return copy;
    }
}
