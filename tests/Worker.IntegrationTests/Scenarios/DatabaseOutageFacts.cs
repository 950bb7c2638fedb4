namespace BatchOrchestrator.Worker.IntegrationTests.Scenarios;

/// <summary>
/// PostgreSQL goes away while batches are in flight and files keep arriving (PERF-RELIABILITY R3):
/// the service stays up, and once the server is back every file ends with a job reference, uploaded
/// and batched once. The test's own server (the shared one cannot be stopped), from the local binaries.
/// </summary>
public sealed class DatabaseOutageFacts(PostgresServerFixture server)
    // Batches stay RUNNING for a few seconds, so the outage finds them in flight.
    : OwnServerFacts(server, new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(400) })
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task TheServiceOutlivesADatabaseOutage_AndFinishesEveryFileOnceTheDatabaseIsBack()
    {
        var settings = Env.Settings(Postgres.ConnectionString);
        settings["Sources:0:Watch"] = "true"; // events during the outage must not take the service down
        settings["Sources:0:Schedule"] = "*/5 * * * * *"; // and the periodic scan catches whatever they could not start
        settings["Pipeline:MaxFilesPerBatch"] = "4";
        // Time-scaled: a lease its holder could not release in the outage expires after 20 s, not 2 min.
        settings["Leases:TimeToLive"] = "00:00:20";
        // A step whose job gave up in the outage is handed out again by the stalled-step sweep: time-scaled too.
        settings["Polling:StalledAfter"] = "00:00:20";
        var logs = new CapturingSink();
        await Env.WriteFilesAsync(12, "before");
        await using var host = await WorkerHost.StartAsync(Env.Root, settings, logs);
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        host.TriggerRun();
        await using var database = NpgsqlDataSource.Create(Postgres.ConnectionString);
        await Eventually.WaitAsync(
            () => TryScalar(database, "select count(*) from orchestrator.batch where remote_batch_id is not null and state in ('Pending', 'Throttled', 'Running')", _ => -1L),
            n => n > 0, Patience, "a batch to be in flight at LlamaCloud");

        await Postgres.StopAsync(Ct);
        NpgsqlConnection.ClearAllPools();
        await Env.WriteFilesAsync(6, "during");
        // The watcher saw the new files and could not start a run: it says so, and the service carries on.
        await Eventually.WaitAsync(
            () => Task.FromResult(logs.Lines.Any(l => l.Contains("could not start a run", StringComparison.OrdinalIgnoreCase)) || lifetime.ApplicationStopping.IsCancellationRequested),
            seen => seen, Patience, "the watcher to meet the outage");
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the service stopped during the outage:\n" + string.Join('\n', logs.Lines.TakeLast(30)));
        // Where an operator looks first says what is wrong, rather than an empty 500.
        using (var dashboard = new DashboardClient(host.Address))
        using (var page = await dashboard.GetAsync("hangfire/ops/sources"))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, page.StatusCode);
            Assert.Contains("The database does not answer", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        await Postgres.StartAsync(Ct);

        // The value carries what is left, for the message if this times out.
        await Eventually.WaitAsync(
            () => TryScalar(database, """
                select (select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null)
                    || ' | files ' || (select string_agg(state || '=' || n, ' ') from (select state, count(*) n from orchestrator.file_version group by state) f)
                    || ' | batches ' || (select string_agg(id || ':' || state, ' ' order by id) from orchestrator.batch)
                    || ' | jobs ' || (select string_agg(statename || '=' || n, ' ') from (select statename, count(*) n from hangfire.job group by statename) j)
                """, ex => ex.Message),
            summary => summary.StartsWith("18 ", StringComparison.Ordinal), Patience, "all 18 files to get job references after the outage");

        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);
        var counters = await Env.Admin.CountersAsync();
        Assert.Equal(18, counters.UploadsTotal);
        Assert.All(counters.UploadsByUniqueId.Values, n => Assert.Equal(1, n));
        Assert.All(counters.BatchCreatesByDirectory.Values, n => Assert.Equal(1, n));
        Assert.Equal(18L, await TryScalar(database, "select count(*) from orchestrator.batch_result where job_id is not null", _ => -1L));
    }
}
