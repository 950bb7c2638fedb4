namespace BatchOrchestrator.Worker.IntegrationTests.Dashboard;

/// <summary>What our pages say of the database, read over HTTP from the real host: the time zone a schedule is read in.</summary>
public sealed class OpsPageFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task TheSourcesPage_SaysInWhichTimeZoneItsScheduleIsRead()
    {
        var settings = Env.Settings();
        settings["Sources:0:Schedule"] = "0 2 * * *";
        settings["Sources:0:TimeZone"] = "Europe/Berlin";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings);
        using var client = new DashboardClient(host.Address);

        var page = await client.GetPageAsync("hangfire/ops/sources");

        // Cron fields alone read as UTC, or as the reader's own zone: 02:00 in Berlin is 01:00 or 00:00 UTC.
        Assert.Contains("0 2 * * * (Europe/Berlin)", page, StringComparison.Ordinal);
    }
}
