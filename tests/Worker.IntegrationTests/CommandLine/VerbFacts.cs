namespace BatchOrchestrator.Worker.IntegrationTests.CommandLine;

/// <summary>Each verb on a real database, built by the same Add calls as the service, as Program.cs runs it.</summary>
public sealed class VerbFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task Scan_WalksAndHashesWithProgress_AndQueuesTheBatchesForTheService()
    {
        await Env.WriteFilesAsync(3);

        var (exitCode, output) = await RunAsync("scan", "e2e");

        Assert.Equal(0, exitCode);
        Assert.Contains("hashed 3/3 new or changed files", output, StringComparison.Ordinal);
        Assert.Contains("Manual", output, StringComparison.Ordinal);
        Assert.Contains("Its batches are queued", output, StringComparison.Ordinal);
        Assert.Equal(1L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch where state = 'Planned' and file_count = 3"));
        Assert.Equal(1L, await Env.Database.ScalarAsync<long>("select count(*) from hangfire.job where statename = 'Enqueued' and invocationdata::text like '%UploadBatchJob%'"));

        // The service takes the queued batch from there.
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        await Env.WaitForEndedAsync(3);
    }

    [Theory]
    [InlineData("scan")]
    [InlineData("reprocess")]
    [InlineData("plan")]
    public async Task AVerbThatMayCallTheApi_WithoutAKey_TalksToTheInProcessSandbox_NeverToLlamaCloud(string verb)
    {
        // Planning prices a source by its configuration's tier, which may mean reading it from the API: without a
        // key, the real service would be asked (and its failures would pause the project for every instance).
        await Env.WriteFilesAsync(1);
        var settings = Env.VerbSettings(verb);
        settings["LLAMA_CLOUD_API_KEY"] = null;
        settings["LLAMA_CLOUD_BASE_URL"] = null;
        settings["Verb:Target"] = TestEnvironment.SourceName;
        settings["Verb:DryRun"] = "true";
        // The running service's own Sandbox holds Sandbox:Port: the verb's Sandbox takes another port beside it.
        using var service = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        service.Start();
        settings["Sandbox:Port"] = ((System.Net.IPEndPoint)service.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var log = new CapturingSink();

        var (exitCode, _) = await WorkerHost.RunVerbAsync(Env.Root, settings, log);

        Assert.Equal(0, exitCode);
        Assert.Contains(log.Lines, l => l.Contains("files go to the in-process Sandbox", StringComparison.Ordinal));
        Assert.Equal(0L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.project_pause"));
    }

    [Fact]
    public async Task Scan_ThatPlansNoBatch_SaysSo_RatherThanThatItsBatchesAreQueued()
    {
        await Env.WriteFilesAsync(2);
        await RunAsync("scan", "e2e");

        var (exitCode, output) = await RunAsync("scan", "e2e"); // nothing new since

        Assert.Equal(0, exitCode);
        Assert.Contains("NoChanges", output, StringComparison.Ordinal);
        Assert.Contains("It planned no batch", output, StringComparison.Ordinal);
        Assert.DoesNotContain("batches are queued", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_OfAnUnknownSource_ExitsTwo_AndStartsNoRun()
    {
        var (exitCode, _) = await RunAsync("scan", "nope");

        Assert.Equal(2, exitCode);
        Assert.Equal(0L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.run"));
    }

    [Fact]
    public async Task Status_PrintsSourcesRunsAndOpenBatches()
    {
        await Env.WriteFilesAsync(2);
        await RunAsync("scan", "e2e");

        var (exitCode, output) = await RunAsync("status");

        Assert.Equal(0, exitCode);
        Assert.Contains("Sources", output, StringComparison.Ordinal);
        Assert.Contains("Discovered=2", output, StringComparison.Ordinal);
        Assert.Contains("Recent runs", output, StringComparison.Ordinal);
        Assert.Contains("Open batches", output, StringComparison.Ordinal);
        Assert.Contains("Planned", output, StringComparison.Ordinal);
        Assert.Contains("None: uploads, batch creates and follow-ups go on in every project.", output, StringComparison.Ordinal);

        // A pause written by any instance shows in this separate process, with its reason and since when.
        await Env.Database.ExecuteAsync(
            "insert into orchestrator.project_pause (project, reason, since, next_probe_at, last_error) values ('default', 'circuit_open', '2026-01-02 03:04:05+00', now() + interval '1 hour', 'HTTP 503')");
        var (_, paused) = await RunAsync("status");
        Assert.Contains("Paused LlamaCloud projects", paused, StringComparison.Ordinal);
        Assert.Contains("circuit_open", paused, StringComparison.Ordinal);
        Assert.Contains("2026-01-02 03:04:05 UTC", paused, StringComparison.Ordinal); // every time a verb prints says its zone
        Assert.Contains("HTTP 503", paused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_SaysFirstWhatNeedsAPerson_WithTheCommandThatActsOnIt()
    {
        // What the overview lists first: a file failed permanently (and why), files a cap holds (and which).
        var run = await Env.Database.ScalarAsync<long>(
            "insert into orchestrator.run (source_name, trigger, state, started_at, finished_at) values ('e2e', 'Schedule', 'NoChanges', now(), now()) returning id");
        await Env.Database.ExecuteAsync("""
            insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, error_class, error_message, held_run_id, held_cap, held_reason)
            values ('e2e', 'bad.bin', 1, 1, sha256('bad'::bytea), 'bad', 'Failed', 'Permanent', 'Unsupported file type: .bin', null, null, null),
                   ('e2e', 'big.pdf', 1, 1, sha256('big'::bytea), 'big', 'Held', null, null, $1, 'global/Day', 'held by the Day cap on global')
            """, run);
        await Env.Database.ExecuteAsync(
            "insert into orchestrator.source_file (source_name, relative_path, size, mtime_ticks, first_seen_at) values ('e2e', 'bad.bin', 1, 1, now()), ('e2e', 'big.pdf', 1, 1, now())");

        var (exitCode, output) = await RunAsync("status");

        Assert.Equal(0, exitCode);
        Assert.InRange(output.IndexOf("Needs a person", StringComparison.Ordinal), 0, output.IndexOf("Sources", StringComparison.Ordinal)); // before the tables
        var failed = output.Split('\n').Single(l => l.Contains("failed permanently", StringComparison.Ordinal));
        Assert.Contains("Unsupported file type: .bin", failed, StringComparison.Ordinal);
        Assert.Contains("retry e2e --failed --permanent", failed, StringComparison.Ordinal);
        Assert.Contains("/hangfire/ops/files?source=e2e&state=Failed", failed, StringComparison.Ordinal);
        var held = output.Split('\n').Single(l => l.Contains("held by a spending cap", StringComparison.Ordinal));
        Assert.Contains("the Day cap on global", held, StringComparison.Ordinal);
        Assert.Contains($"approve {run}", held, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_KeepsARunThatFailedInSight_AfterManyRunsThatFoundNothing()
    {
        await Env.Database.ExecuteAsync(
            "insert into orchestrator.run (source_name, trigger, state, started_at, finished_at, error) values ('e2e', 'Schedule', 'Failed', now() - interval '1 hour', now() - interval '1 hour', 'the source folder was not mounted')");
        await Env.Database.ExecuteAsync(
            "insert into orchestrator.run (source_name, trigger, state, started_at, finished_at) select 'e2e', 'Watch', 'NoChanges', now(), now() from generate_series(1, 12)");

        var (exitCode, output) = await RunAsync("status");

        Assert.Equal(0, exitCode);
        var start = output.IndexOf("Recent runs with changes", StringComparison.Ordinal);
        var runs = output[start..output.IndexOf("\nOpen batches", start, StringComparison.Ordinal)]; // up to the next table's heading
        Assert.Contains("the source folder was not mounted", runs, StringComparison.Ordinal);
        Assert.DoesNotContain("NoChanges", runs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_SaysWhenItListsOnlyTheNewestOpenBatches()
    {
        var run = await Env.Database.ScalarAsync<long>(
            "insert into orchestrator.run (source_name, trigger, state, started_at) values ('e2e', 'Schedule', 'Active', now()) returning id");
        await Env.Database.ExecuteAsync("""
            insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, file_count)
            select $1, 'e2e', 'Planned', 'parse_v2', 'cfg-PARSE_AGENTIC', 'dir-' || i, 1 from generate_series(1, 51) i
            """, run);

        var (_, output) = await RunAsync("status");

        Assert.Contains("Open batches (the newest 50; more at /hangfire/ops/batches?open=1)", output, StringComparison.Ordinal);
        Assert.Equal(50, output.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, $@"^\s+\d+\s+{run}\s+e2e\s+Planned")));
    }

    [Fact]
    public async Task Status_CountsAChangedFileOnce_ByItsLatestVersion()
    {
        // report.pdf succeeded, then changed: its new content waits for a batch. One file, not two.
        foreach (var (content, state) in new[] { ("first", "Succeeded"), ("second", "Discovered") })
        {
            await Env.Database.ExecuteAsync("""
                insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state)
                values ('e2e', 'report.pdf', 1, 1, sha256($1::bytea), $1, $2)
                """, content, state);
        }

        await Env.Database.ExecuteAsync(
            "insert into orchestrator.source_file (source_name, relative_path, size, mtime_ticks, first_seen_at) values ('e2e', 'report.pdf', 1, 1, now())");
        var (exitCode, output) = await RunAsync("status");

        Assert.Equal(0, exitCode);
        var sources = output.Split('\n').First(l => l.TrimStart().StartsWith("e2e", StringComparison.Ordinal));
        Assert.Contains("Discovered=1", sources, StringComparison.Ordinal);
        Assert.DoesNotContain("Succeeded", sources, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Status_WhileASourceFolderIsMissing_Answers_AndCreatesNothing(bool createIfMissing)
    {
        // An unmounted share is when an operator asks for the status: the verb reads the database alone.
        var missing = Path.Combine(Env.Root, "unmounted");
        var settings = Env.VerbSettings("status");
        settings["Sources:0:Path"] = missing;
        settings["Sources:0:CreateIfMissing"] = createIfMissing ? "true" : "false";

        var (exitCode, output) = await WorkerHost.RunVerbAsync(Env.Root, settings);

        Assert.Equal(0, exitCode);
        Assert.Contains("Recent runs", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));

        settings["Verb:Name"] = "config-check"; // says what would stop the service, and creates nothing either
        var (checkExit, _, check) = await WorkerHost.RunVerbSplitAsync(Env.Root, settings); // problems go to stderr
        Assert.Equal(createIfMissing ? 0 : 1, checkExit);
        Assert.Equal(!createIfMissing, check.Contains($"Sources:0:Path: directory '{missing}' does not exist", StringComparison.Ordinal));
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task Migrate_ReportsTheSchemaVersion()
    {
        var (exitCode, output) = await RunAsync("migrate");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"Schema is at version \d+ \(this build's latest is \d+\)", output);
    }

    [Fact]
    public async Task ConfigCheck_ListsEveryProblem_AndExitsNonZero_WithoutStartingAnything()
    {
        var settings = Env.VerbSettings("config-check");
        settings["Sources:0:JobType"] = "parse";
        settings["Sources:0:Path"] = Path.Combine(Env.Root, "not-mounted");
        settings["Dashboard:Users:0:Name"] = "ops";
        settings["Dashboard:Users:0:PasswordHash"] = "plain-password";

        var (exitCode, _, output) = await WorkerHost.RunVerbSplitAsync(Env.Root, settings); // problems go to stderr

        Assert.Equal(1, exitCode);
        Assert.Contains("Sources:0:JobType: 'parse' must be parse_v2 or extract_v2", output, StringComparison.Ordinal);
        Assert.Contains("Sources:0:Path: directory", output, StringComparison.Ordinal);
        Assert.Contains("Dashboard:Users:0:PasswordHash:", output, StringComparison.Ordinal);
        Assert.Contains("3 problems in the configuration.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("plain-password", output, StringComparison.Ordinal);

        // Without a key the service runs the Sandbox in-process: its settings are checked as every other section's.
        var sandbox = Env.VerbSettings("config-check");
        sandbox["LLAMA_CLOUD_API_KEY"] = null;
        sandbox["LLAMA_CLOUD_BASE_URL"] = null;
        sandbox["Sandbox:StepDelay"] = "2s";
        var (sandboxExit, _, sandboxOutput) = await WorkerHost.RunVerbSplitAsync(Env.Root, sandbox);
        Assert.Equal(1, sandboxExit);
        Assert.Contains("Sandbox:StepDelay: '2s' is not a valid TimeSpan", sandboxOutput, StringComparison.Ordinal);

        var (valid, validOutput) = await WorkerHost.RunVerbAsync(Env.Root, Env.VerbSettings("config-check"));
        Assert.Equal(0, valid);
        Assert.StartsWith("Configuration is valid.", validOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_OfARemoteOnlySource_WalksNoFolder_AndSaysWhyItsRunFailed()
    {
        var settings = RemoteOnlySettings("scan", "dir-00000000-0000-0000-0000-000000000000");

        var (exitCode, output, errors) = await WorkerHost.RunVerbSplitAsync(Env.Root, settings);

        Assert.Equal(1, exitCode);
        Assert.DoesNotContain("Walking the folder", output, StringComparison.Ordinal);
        Assert.Contains("remote directory dir-00000000-0000-0000-0000-000000000000 could not be listed", output, StringComparison.Ordinal);
        // The failure itself, whole, where a failure goes: stderr, naming the run and how to run it again.
        var run = await Env.Database.ScalarAsync<long>("select max(id) from orchestrator.run");
        Assert.StartsWith($"scan: run {run} of theirs failed: ", errors, StringComparison.Ordinal);
        Assert.Contains("remote directory dir-00000000-0000-0000-0000-000000000000 could not be listed", errors, StringComparison.Ordinal);
        Assert.EndsWith("('retry theirs' runs it again once that is put right)", errors.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("The run failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_OfARemoteOnlySource_SaysWhatItCannotCount_InsteadOfZeroes()
    {
        var settings = RemoteOnlySettings("plan", "dir-filled-by-another-tool");

        var (exitCode, output) = await WorkerHost.RunVerbAsync(Env.Root, settings);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("theirs is RemoteOnly: a run sends one batch over directory dir-filled-by-another-tool as it stands, and LlamaCloud parses and bills every file in it", output.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("no cap applies", output, StringComparison.Ordinal);
    }

    /// <summary>The verb aimed at a second source, "theirs", RemoteOnly over <paramref name="directoryId"/>.</summary>
    private Dictionary<string, string?> RemoteOnlySettings(string verb, string directoryId)
    {
        var settings = Env.VerbSettings(verb, "theirs");
        settings["Sources:1:Name"] = "theirs";
        settings["Sources:1:Layout"] = "RemoteOnly";
        settings["Sources:1:RemoteDirectoryId"] = directoryId;
        return settings;
    }

    private Task<(int ExitCode, string Output)> RunAsync(string verb, string? target = null) => WorkerHost.RunVerbAsync(Env.Root, Env.VerbSettings(verb, target));
}
