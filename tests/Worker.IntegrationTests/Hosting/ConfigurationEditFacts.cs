namespace BatchOrchestrator.Worker.IntegrationTests.Hosting;

/// <summary>
/// appsettings.json edited while the service runs (docs/configuration.md, "Editing the configuration of a running
/// service"): settings are read at start, so the edit is said in one line, and a source renamed, removed or given other
/// processing settings is not run under the settings it had, which would send (and bill) its files again.
/// </summary>
public sealed class ConfigurationEditFacts(PostgresServerFixture server)
    : EnvironmentFacts(server, new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(50), Guesses = new SandboxGuesses { AcceptUndocumentedPresets = true } })
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ConfigurationIdEditedWhileRunning_ThenReprocessed_SendsNothingUnderTheOldId_AndTheRestartSendsItUnderTheNew()
    {
        await WriteSettingsFileAsync("e2e", "cfg-PARSE_FAST");
        await Env.WriteFilesAsync(1);
        var logs = new CapturingSink();
        await using (var host = await WorkerHost.StartAsync(Env.Root, WithoutSources(Env.Settings()), logs))
        {
            host.TriggerRun();
            await Env.WaitForEndedAsync(1);
            await Env.EventuallyAsync( // its result fetched: a file whose follow-up is pending is not reprocessed
                () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp'"),
                n => n == 1,
                Patience,
                "the file's result to be fetched");

            // The operator edits the configuration id and, as docs/operations.md says, reprocesses: the verb reads the
            // new settings and queues the file again, for the running service to send.
            await WriteSettingsFileAsync("e2e", "cfg-PARSE_AGENTIC");
            await ReloadedAsync(host, "Sources:0:ConfigurationId", "cfg-PARSE_AGENTIC");
            var verb = WithoutSources(Env.VerbSettings("reprocess", "e2e"));
            verb["Verb:DryRun"] = "false";
            var (code, output) = await WorkerHost.RunVerbAsync(Env.Root, verb);
            Assert.Equal(0, code);
            Assert.Contains("1 file of e2e is queued again under parse_v2 cfg-PARSE_AGENTIC", output, StringComparison.Ordinal);
            await RunsEndedAsync(2);

            // Sent again under cfg-PARSE_FAST, it would be billed a second time for the result it already has.
            Assert.Equal(["cfg-PARSE_FAST"], await BatchConfigurationsAsync());
            Assert.Equal("Discovered", await Env.Database.ScalarAsync<string>("select state from orchestrator.file_version"));
            Assert.Contains(logs.Lines, l => l.StartsWith("Warning Run of \"e2e\" skipped (Manual)", StringComparison.Ordinal)
                && l.Contains("its processing settings were changed from 'parse_v2 cfg-PARSE_FAST' to 'parse_v2 cfg-PARSE_AGENTIC'", StringComparison.Ordinal));
            Assert.Contains(logs.Lines, l => l.StartsWith("Warning The configuration was edited since this service started (\"sources changed: e2e\")", StringComparison.Ordinal));
        }

        // The restart applies the edit: the file waited, and goes once, under the new id.
        await using (var restarted = await WorkerHost.StartAsync(Env.Root, WithoutSources(Env.Settings())))
        {
            restarted.TriggerRun();
            await Env.EventuallyAsync(
                () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"),
                n => n == 1,
                Patience,
                "the file to be sent again after the restart");
        }

        Assert.Equal(["cfg-PARSE_AGENTIC", "cfg-PARSE_FAST"], await BatchConfigurationsAsync());
    }

    [Fact]
    public async Task ASourceRenamedWhileRunning_IsNotRunUnderItsOldName_AndTheEditIsSaidOnce()
    {
        await WriteSettingsFileAsync("e2e", "cfg-PARSE_AGENTIC");
        var logs = new CapturingSink();
        await using var host = await WorkerHost.StartAsync(Env.Root, WithoutSources(Env.Settings()), logs);
        await WriteSettingsFileAsync("docs", "cfg-PARSE_AGENTIC");
        await ReloadedAsync(host, "Sources:0:Name", "docs");

        // The old name's schedule still fires on this service, started with it: run, it would make a record of its own
        // beside the one 'rename-source' is about to move, and send every file of the folder again.
        await Env.WriteFilesAsync(1);
        host.TriggerRun();
        await RunsEndedAsync(1);

        Assert.Equal(0L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.run"));
        Assert.Equal(0L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version"));
        Assert.Contains(logs.Lines, l => l.StartsWith("Warning Run of \"e2e\" skipped (Schedule)", StringComparison.Ordinal)
            && l.Contains("the configuration has no source named 'e2e' any more", StringComparison.Ordinal));
        Assert.Single(logs.Lines, l => l.StartsWith("Warning The configuration was edited since this service started (\"sources added: docs; sources removed: e2e\")", StringComparison.Ordinal)
            && l.Contains("restart every instance", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunNowRetryFailedAndApprove_OnTheDashboard_OfASourceEditedSinceStart_SayNoRunIsQueued_AndWhy()
    {
        await WriteSettingsFileAsync("e2e", "cfg-PARSE_FAST");
        var logs = new CapturingSink();
        var settings = WithoutSources(Env.Settings());
        settings["Serilog:MinimumLevel:Override:BatchOrchestrator.Worker.Costs.HeldFilesOnStart"] = "Debug";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings, logs);
        // The start's own look for files held under another Costs section comes first: made after the held file below, it
        // would queue a Start run for it (rightly: the row has no Costs fingerprint), which is not what this test is about.
        await Eventually.WaitAsync(
            () => Task.FromResult(logs.Lines.Any(l => l.Contains("No source holds files under a Costs section other than this one", StringComparison.Ordinal))),
            looked => looked,
            TimeSpan.FromSeconds(30),
            "the start's look for held files");
        var held = await Env.Database.ScalarAsync<long>("insert into orchestrator.run (source_name, trigger, state) values ('e2e', 'Schedule', 'Completed') returning id");
        await Env.Database.ExecuteAsync(
            "insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, held_cap, held_run_id, held_reason) "
            + "values ('e2e', 'held.pdf', 10, 1, sha256('held'::bytea), 'held', 'Held', 'global/Day', $1, 'held by the Day cap on global')",
            held);
        await WriteSettingsFileAsync("e2e", "cfg-PARSE_AGENTIC");
        await ReloadedAsync(host, "Sources:0:ConfigurationId", "cfg-PARSE_AGENTIC");
        using var dashboard = new DashboardClient(host.Address);

        // The run would be skipped with a Warning: "queued" would tell the operator something happens that does not. An
        // approval would also let the held file past the caps at a cost estimated under the settings it no longer has.
        foreach (var (action, answer) in new[]
        {
            ("run/e2e", "No run of e2e was queued"),
            ("retry/e2e", "No failed file of e2e was queued again, and no run was queued"),
            ($"approve/{held}", $"No file held by a cap in run {held} was approved, and no run was queued"),
        })
        {
            using var refused = await dashboard.PostCommandAsync($"hangfire/ops/actions/{action}");
            var said = await refused.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.StartsWith(answer + ": since this service started, its processing settings were changed from 'parse_v2 cfg-PARSE_FAST' to 'parse_v2 cfg-PARSE_AGENTIC'", said, StringComparison.Ordinal);
            Assert.Contains("restart", said, StringComparison.Ordinal);
        }

        Assert.Equal(0L, await Env.Database.ScalarAsync<long>("select count(*) from hangfire.job where invocationdata::text like '%RunSourceJob%'"));
        Assert.Equal("Held", await Env.Database.ScalarAsync<string>("select state from orchestrator.file_version where relative_path = 'held.pdf'"));
    }

    [Fact]
    public async Task AnEditThatIsNotJson_IsSaidAsUnreadable_NotAsSourcesRemoved_AndTheFixIsSaidToo()
    {
        await WriteSettingsFileAsync("e2e", "cfg-PARSE_AGENTIC");
        var logs = new CapturingSink();
        var settings = WithoutSources(Env.Settings());
        settings["Serilog:MinimumLevel:Override:BatchOrchestrator.Worker.Hosting.ConfigurationEditsNotice"] = "Information";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings, logs);
        await File.WriteAllTextAsync(Path.Combine(Env.Root, "appsettings.json"), """{ "Sources": [ { "Name": "e2e", """, Ct); // saved half-typed
        await Env.EventuallyAsync(
            () => Task.FromResult(logs.Lines.Any(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("could not be read", StringComparison.Ordinal))),
            Patience,
            "the unreadable file to be said");

        Assert.Contains(logs.Lines, l => l.StartsWith("Warning The configuration file", StringComparison.Ordinal)
            && l.Contains("appsettings.json", StringComparison.Ordinal)
            && l.Contains("this service goes on with the settings it started with", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("sources removed", StringComparison.Ordinal));

        await WriteSettingsFileAsync("e2e", "cfg-PARSE_AGENTIC");
        await Env.EventuallyAsync(
            () => Task.FromResult(logs.Lines.Any(l => l.StartsWith("Information The configuration is back to what this service started with", StringComparison.Ordinal))),
            Patience,
            "the fixed file to be said");
    }

    private static Dictionary<string, string?> WithoutSources(Dictionary<string, string?> settings)
    {
        // The sources come from appsettings.json alone, as a deployment's do: in-memory settings would override its edits.
        foreach (var key in settings.Keys.Where(k => k.StartsWith("Sources:", StringComparison.Ordinal)).ToList())
        {
            settings.Remove(key);
        }

        return settings;
    }

    private static async Task ReloadedAsync(WorkerHost host, string key, string value) => await Eventually.WaitAsync(
        () => Task.FromResult(host.Services.GetRequiredService<IConfiguration>()[key] == value), Patience, $"the service to read {key} = {value}");

    private Task WriteSettingsFileAsync(string name, string configurationId) => File.WriteAllTextAsync(
        Path.Combine(Env.Root, "appsettings.json"),
        JsonSerializer.Serialize(new
        {
            Sources = new[]
            {
                new { Name = name, Path = "inbox", Schedule = "0 0 1 1 *", SettleWindow = "00:00:00", Watch = false, ConfigurationId = configurationId },
            },
        }),
        Ct);

    // At least this many run jobs have ended, and none is waiting or under way (a skipped run succeeds at once, doing nothing).
    private Task RunsEndedAsync(long count) => Env.EventuallyAsync(
        () => Env.Database.ScalarAsync<long>("""
            select case when count(*) filter (where statename not in ('Succeeded', 'Failed', 'Deleted')) > 0 then -1
                        else count(*) end
            from hangfire.job where invocationdata::text like '%RunSourceJob%'
            """),
        n => n >= count,
        Patience,
        $"{count} runs to end");

    private Task<List<string>> BatchConfigurationsAsync() =>
        Env.Database.ListAsync("select configuration_id from orchestrator.batch order by configuration_id", r => r.GetString(0));
}
