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
    }

    private async Task AssertOneLineAsync(Dictionary<string, string?> settings, string reason)
    {
        settings["Logs:Format"] = "Text";
        var (exitCode, output, errors) = await WorkerProcess.RunAsync(Env.Root, ["run"], settings);
        var lines = (output + "\n" + errors).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(1, exitCode);
        // The fatal lines in full when there is not exactly one: which other component said it too.
        var fatal = lines.Where(l => l.Contains("FTL]", StringComparison.Ordinal)).ToList();
        Assert.True(fatal.Count == 1, $"{fatal.Count} fatal lines:\n{string.Join('\n', fatal)}\nThe whole output:\n{string.Join('\n', lines)}");
        Assert.Contains($"BatchOrchestrator cannot start: {reason}", fatal[0], StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)); // no stack trace anywhere
        Assert.DoesNotContain(lines, l => l.Contains("Exception", StringComparison.Ordinal));
    }
}
