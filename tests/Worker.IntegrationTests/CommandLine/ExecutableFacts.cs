namespace BatchOrchestrator.Worker.IntegrationTests.CommandLine;

/// <summary>The verbs through the real executable: Program.cs, exit codes, stdout for answers and stderr for logs.</summary>
public sealed class ExecutableFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task ConfigCheck_ExitsOne_ListingEveryProblem()
    {
        var (exitCode, output, errors) = await WorkerProcess.RunAsync(Env.Root, ["config", "check", "--Sources:0:JobType=parse", "--Polling:Interval=00:00:00"], Env.Settings());

        Assert.Equal(1, exitCode);
        Assert.Contains("Sources:0:JobType", errors, StringComparison.Ordinal); // problems on stderr, as every verb's failures
        Assert.Contains("Polling:Interval", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("Sources:0:JobType", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_AnswersOnStdout_AndExitsZero_WithNoInformationLogs()
    {
        // With the shipped appsettings.json, whose log levels are the service's (Hangfire at Information).
        File.Copy(Repository.PathOf("appsettings.json"), Path.Combine(Env.Root, "appsettings.json"));
        var (exitCode, output, errors) = await WorkerProcess.RunAsync(Env.Root, ["status"], Env.Settings());

        Assert.True(exitCode == 0, errors);
        Assert.StartsWith("Paused LlamaCloud projects", output, StringComparison.Ordinal); // first, so a pause is not missed
        Assert.Contains("Sources", output, StringComparison.Ordinal);
        Assert.Contains("e2e", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hangfire SQL objects", errors, StringComparison.Ordinal); // a verb logs warnings and up only
    }

    [Fact]
    public async Task ABuildOlderThanTheSchema_DoesNotStart_SayingSoInOneLine()
    {
        Assert.Equal(0, (await WorkerProcess.RunAsync(Env.Root, ["migrate"], Env.Settings())).ExitCode);
        await Env.Database.ExecuteAsync("insert into orchestrator.schema_version (version, name) values (9999, 'from a newer build')");

        var (exitCode, output, errors) = await WorkerProcess.RunAsync(Env.Root, ["status"], Env.Settings());

        Assert.Equal(1, exitCode);
        Assert.Contains("BatchOrchestrator cannot start: {Reason}", errors, StringComparison.Ordinal);
        Assert.Contains("\"Reason\":\"the database's schema is at version 9999, newer than this build's", errors, StringComparison.Ordinal);
        Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // one line, no stack trace
        Assert.Empty(output);
    }

    [Fact]
    public async Task AMistypedVerb_ExitsTwo_WithoutStartingTheService()
    {
        var (exitCode, output, errors) = await WorkerProcess.RunAsync(Env.Root, ["stauts"], Env.Settings());

        Assert.Equal(2, exitCode);
        Assert.Contains("Unknown command or argument 'stauts'", errors, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task AMalformedArgument_ExitsTwo_SayingWhatIsWrongOnStderr()
    {
        var (exitCode, output, errors) = await WorkerProcess.RunAsync(Env.Root, ["approve", "abc"], Env.Settings());

        Assert.Equal(2, exitCode);
        Assert.StartsWith("approve: <run-id> must be a whole number, got 'abc'", errors, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Theory]
    [InlineData("scan nope", "scan: No source is named 'nope'. Configured sources: e2e")]
    [InlineData("plan nope", "plan: No source is named 'nope'. Configured sources: e2e")]
    [InlineData("retry nope --failed", "retry: No source is named 'nope'. Configured sources: e2e")]
    [InlineData("scan E2E", "scan: No source is named 'E2E'. Configured sources: e2e (names are case-sensitive: did you mean 'e2e'?)")]
    [InlineData("reprocess e2e --before notadate", "reprocess: --before: 'notadate' is not a date")]
    [InlineData("cancel jobs 7", "cancel jobs: no LlamaCloud API key is given to this command, so it would ask an in-process Sandbox of its own, which knows none of the service's jobs")]
    public async Task AVerbOfAnUnknownSourceOrABadArgument_ExitsTwo_SayingWhy_BeforeStartingAnything(string line, string problem)
    {
        // No key (a verb that may call the API would start its own Sandbox) and a database nobody listens for (a
        // migration would fail, exit 1): only the one line comes out, and the exit is the usage error's.
        var settings = Env.Settings("Host=127.0.0.1;Port=9;Username=nobody;Timeout=2");
        settings["LLAMA_CLOUD_API_KEY"] = null;
        settings["LLAMA_CLOUD_BASE_URL"] = null;

        var (exitCode, output, errors) = await WorkerProcess.RunAsync(Env.Root, line.Split(' '), settings);

        Assert.Equal(2, exitCode);
        Assert.StartsWith(problem, errors, StringComparison.Ordinal);
        Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(output);
    }

    [Fact]
    public async Task AVerbStoppedBeforeItFinished_ExitsNonZero_SayingSo()
    {
        // Held midway: `status` waits on a table a transaction here keeps locked, as a slow query would keep it.
        Assert.Equal(0, (await WorkerProcess.RunAsync(Env.Root, ["migrate"], Env.Settings())).ExitCode);
        await using var connection = await Env.Database.DataSource.OpenConnectionAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await using (var lockTable = new Npgsql.NpgsqlCommand("lock table orchestrator.run in access exclusive mode", connection, transaction))
        {
            await lockTable.ExecuteNonQueryAsync(Ct);
        }

        await using var verb = WorkerProcess.Start(Env.Root, ["status"], Env.Settings());
        await Env.EventuallyAsync(
            async () => await Env.Database.ScalarAsync<long>("select count(*) from pg_stat_activity where wait_event_type = 'Lock' and pid <> $1", connection.ProcessID) > 0,
            TimeSpan.FromSeconds(60),
            "status to wait on the locked table");

        await verb.StopAsync(); // SIGTERM, as `timeout` or a service manager sends it

        Assert.Equal(VerbExit.Interrupted, verb.ExitCode); // 0 before: `status && next` went on as if it had answered
        Assert.Contains("status: stopped before it finished", string.Join('\n', verb.Errors), StringComparison.Ordinal);
    }
}
