namespace BatchOrchestrator.Worker.IntegrationTests.Hosting;

/// <summary>
/// A process killed while Hangfire's recurring-job scheduler held its lock leaves the lock row behind; a restart
/// that comes before the row ages out (Hangfire:Storage:DistributedLockTimeout) still starts, once it has.
/// </summary>
public sealed class StaleLockFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task ARecurringJobLockLeftByAKilledProcess_DelaysTheStartUntilItAgesOut_AndDoesNotFailIt()
    {
        var settings = Env.Settings();
        // Longer than Hangfire's own wait for that lock (15 s): without waiting it out, the start-up failed.
        settings["Hangfire:Storage:DistributedLockTimeout"] = "00:00:20";
        await (await WorkerHost.StartAsync(Env.Root, settings)).DisposeAsync(); // the schema, and the source's schedule

        // What the killed process left: the lock row of the source's schedule, taken just now.
        await Env.Database.ExecuteAsync(
            "insert into hangfire.lock (resource, updatecount, acquired) values ('hangfire:lock:recurring-job:run-source-e2e', 0, now() at time zone 'utc')");

        await using var host = await WorkerHost.StartAsync(Env.Root, settings);
        using var http = new HttpClient { BaseAddress = host.Address };

        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct)).StatusCode);
        Assert.Equal(0L, await Env.Database.ScalarAsync<long>("select count(*) from hangfire.lock where resource = 'hangfire:lock:recurring-job:run-source-e2e'"));
    }
}
