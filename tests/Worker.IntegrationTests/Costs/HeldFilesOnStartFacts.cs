namespace BatchOrchestrator.Worker.IntegrationTests.Costs;

/// <summary>
/// A cap raised (the Costs section is read at start, so with a restart) sends the files it held at once, by a run of
/// their source, not at the source's next scheduled run (here a year away); a restart with the section unchanged
/// starts no run, so a service restarted in a loop does not spend a run cap's worth each time.
/// </summary>
public sealed class HeldFilesOnStartFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task AStartWithARaisedCap_SendsTheHeldFilesByARunAtOnce_AndAStartWithTheSameCapsStartsNone()
    {
        await Env.WriteFilesAsync(5); // 10 credits each at the default preset: a run cap of 25 lets 2 through
        var verb = WithRunCap(25, Env.VerbSettings("scan", TestEnvironment.SourceName));
        Assert.Equal(0, (await WorkerHost.RunVerbAsync(Env.Root, verb)).ExitCode);
        Assert.Equal(3L, await HeldAsync());

        var logs = new CapturingSink();
        await using (await WorkerHost.StartAsync(Env.Root, WithRunCap(25, Env.Settings()), logs))
        {
            await Env.EventuallyAsync(
                () => Task.FromResult(logs.Lines.Any(l => l.StartsWith("Debug No source holds files under a Costs section other than this one", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(30),
                "the start's look at held files");
            await Env.WaitForEndedAsync(2);
        }

        Assert.Equal(3L, await HeldAsync());
        Assert.Equal(["Manual"], await TriggersAsync());

        await using (await WorkerHost.StartAsync(Env.Root, WithRunCap(100, Env.Settings())))
        {
            await Env.WaitForEndedAsync(5);
        }

        Assert.Equal(0L, await HeldAsync());
        Assert.Equal(["Manual", "Start"], await TriggersAsync());
    }

    private Task<long> HeldAsync() => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held'");

    private Task<List<string>> TriggersAsync() => Env.Database.ListAsync("select trigger from orchestrator.run order by id", r => r.GetString(0));

    private static Dictionary<string, string?> WithRunCap(int credits, Dictionary<string, string?> settings)
    {
        settings["Costs:Caps:0:Window"] = "Run";
        settings["Costs:Caps:0:Credits"] = credits.ToString(CultureInfo.InvariantCulture);
        settings["Serilog:MinimumLevel:Override:BatchOrchestrator.Worker.Costs"] = "Debug";
        return settings;
    }
}
