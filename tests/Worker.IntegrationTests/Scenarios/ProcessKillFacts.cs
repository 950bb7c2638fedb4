namespace BatchOrchestrator.Worker.IntegrationTests.Scenarios;

/// <summary>
/// The strongest form of the crash-safety proof: the Worker runs as a child process and is killed
/// with SIGKILL right after LlamaCloud created a batch and before the Worker recorded it (the
/// Sandbox drops the create's answer, so no attempt can record it; the retry would come two seconds
/// later). A second process then takes over from what the database says, and the Sandbox's counter
/// shows whether any directory got a second batch.
/// </summary>
public sealed class ProcessKillFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task AWorkerKilledBetweenTheCreateAndItsRecording_IsSucceededByOneThatAdoptsTheBatch()
    {
        await Env.WriteFilesAsync(6);

        await Env.Admin.SetFaultsAsync(new { drop_after_effect_rate = 1.0, routes = new[] { "POST /api/v2/batches" } });
        await using (var first = WorkerProcess.Start(Env.Root, ["run"], Settings()))
        {
            await ChildWorker.WithOutputAsync(Env, [first], Env.EventuallyAsync(() => Env.Admin.CounterAsync("batch_creates_total"), n => n >= 1, Patience, "the first batch to be created remotely"));
            await first.KillAsync(); // SIGKILL: no shutdown, no cleanup
        }

        var createdBeforeKill = await Env.Admin.CounterAsync("batch_creates_total");
        var recordedBeforeKill = await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch where remote_batch_id is not null");
        Assert.Equal(0L, recordedBeforeKill); // killed inside the window: created remotely, not recorded here

        await using var second = WorkerProcess.Start(Env.Root, ["run"], Settings());
        try
        {
            await ChildWorker.WithOutputAsync(Env, [second], Env.EventuallyAsync(
                () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"),
                n => n == 6,
                Patience,
                "all six files to end with job references after the restart"));
        }
        finally
        {
            await second.KillAsync();
        }

        var counters = await Env.Admin.CountersAsync();
        Assert.True(createdBeforeKill >= 1);
        Assert.Equal(2, counters.BatchCreatesByDirectory.Count);
        Assert.All(counters.BatchCreatesByDirectory.Values, n => Assert.Equal(1, n));
        Assert.Contains(second.Output.Concat(second.Errors), line => line.Contains("adopting it", StringComparison.Ordinal)); // said by the second process
    }

    private Dictionary<string, string?> Settings()
    {
        // Information, so the adopting process's log line can be read.
        var settings = ChildWorker.KillSettings(Env);
        settings["Serilog:MinimumLevel:Default"] = "Information";
        settings["Serilog:MinimumLevel:Override:Npgsql"] = "Warning";
        settings["Serilog:MinimumLevel:Override:Hangfire"] = "Warning";
        return settings;
    }
}
