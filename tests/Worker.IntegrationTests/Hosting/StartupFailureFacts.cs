namespace BatchOrchestrator.Worker.IntegrationTests.Hosting;

/// <summary>
/// Start-up failures we can foresee end the process with exit code 1 and one readable line that names
/// the cause and the setting to change: no stack trace (the Worker as its own process, as a user runs it).
/// </summary>
public sealed class StartupFailureFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task ABadSetting_NoServerBinaries_AndATakenPort_EachEndInOneLineNamingTheSetting()
    {
        var bad = Env.Settings();
        bad["Sources:0:JobType"] = "parse";
        var noBinaries = Env.Settings(connectionString: "");
        noBinaries["Database:Embedded:BinDirectory"] = Path.Combine(Env.Root, "no-postgres-here");
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var portTaken = Env.Settings();
        portTaken["Urls"] = $"http://127.0.0.1:{port}";

        await AssertOneLineAsync(bad, "Sources:0:JobType: 'parse' must be parse_v2 or extract_v2");
        await AssertOneLineAsync(noBinaries, $"Database:Embedded:BinDirectory: '{Path.Combine(Env.Root, "no-postgres-here")}' does not contain initdb, pg_ctl and postgres");
        await AssertOneLineAsync(portTaken, $"Urls: http://127.0.0.1:{port} is in use by another program");

        // Without a key, the in-process Sandbox's port: named as its own setting, not as Urls.
        var sandboxPortTaken = Env.Settings();
        sandboxPortTaken["LLAMA_CLOUD_API_KEY"] = null;
        sandboxPortTaken["LLAMA_CLOUD_BASE_URL"] = null;
        sandboxPortTaken["Sandbox:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await AssertOneLineAsync(sandboxPortTaken, $"Sandbox:Port: 127.0.0.1:{port} is in use by another program");
    }

    [Fact]
    public async Task ValuesOfTheWrongType_AnUnknownLogLevel_AndAnUnparsableConnectionString_AreNamedInOneLine_EachInOurWords()
    {
        // The binder threw for the first value of the wrong type in its own words, Serilog for a level with a stack
        // trace, and the connection string's parser with its own message: each before any other setting was checked.
        var wrong = Env.Settings();
        wrong["Pipeline:UploadConcurrency"] = "eight";
        wrong["Polling:Interval"] = "5s";
        wrong["Serilog:MinimumLevel:Default"] = "Loud";
        var unparsable = Env.Settings(connectionString: "Host=127.0.0.1;Password=hunter2;Port=abc");

        await AssertOneLineAsync(
            wrong,
            "Pipeline:UploadConcurrency: 'eight' is not a whole number",
            "Polling:Interval: '5s' is not a valid TimeSpan (hh:mm:ss",
            "Serilog:MinimumLevel:Default: 'Loud' must be one of Verbose, Debug, Information, Warning, Error, Fatal");
        var lines = await AssertOneLineAsync(unparsable, "Database:ConnectionString: not a valid PostgreSQL connection string");
        Assert.DoesNotContain(lines, l => l.Contains("hunter2", StringComparison.Ordinal));
    }

    private async Task<string[]> AssertOneLineAsync(Dictionary<string, string?> settings, params string[] reasons)
    {
        settings["Logs:Format"] = "Text";
        var (exitCode, output, errors) = await WorkerProcess.RunAsync(Env.Root, ["run"], settings);
        var lines = (output + "\n" + errors).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(1, exitCode);
        // The fatal lines in full when there is not exactly one: which other component said it too.
        var fatal = lines.Where(l => l.Contains("FTL]", StringComparison.Ordinal)).ToList();
        Assert.True(fatal.Count == 1, $"{fatal.Count} fatal lines:\n{string.Join('\n', fatal)}\nThe whole output:\n{string.Join('\n', lines)}");
        Assert.Contains("BatchOrchestrator cannot start: ", fatal[0], StringComparison.Ordinal);
        Assert.All(reasons, reason => Assert.Contains(reason, fatal[0], StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)); // no stack trace anywhere
        Assert.DoesNotContain(lines, l => l.Contains("Exception", StringComparison.Ordinal));
        // The stop that follows a failed start is nobody's request: the host's line for a stop came before the failure.
        Assert.DoesNotContain(lines, l => l.Contains("Application is shutting down", StringComparison.Ordinal));
        return lines;
    }
}
