using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Worker.IntegrationTests.Scenarios;

/// <summary>
/// The strongest form of the crash-safety proof: the Worker runs as a child process and is killed
/// with SIGKILL right after LlamaCloud created a batch and before the Worker recorded it (the
/// Sandbox drops the create's answer, so no attempt can record it; the retry would come two seconds
/// later). A second process then takes over from what the database says, and the Sandbox's counter
/// shows whether any directory got a second batch.
/// </summary>
public sealed class ProcessKillFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private TestEnvironment env = null!;

    public async ValueTask InitializeAsync() => env = await TestEnvironment.CreateAsync(server, "kill");

    public ValueTask DisposeAsync() => env.DisposeAsync();

    [Fact]
    public async Task AWorkerKilledBetweenTheCreateAndItsRecording_IsSucceededByOneThatAdoptsTheBatch()
    {
        await env.WriteFilesAsync(6);

        await env.Admin.SetFaultsAsync(new { drop_after_effect_rate = 1.0, routes = new[] { "POST /api/v2/batches" } });
        await using (var first = WorkerProcess.Start(env.Root, ["run"], Settings()))
        {
            await WithOutputAsync(first, Eventually.WaitAsync(() => env.Admin.CounterAsync("batch_creates_total"), n => n >= 1, Patience, "the first batch to be created remotely"));
            await first.KillAsync(); // SIGKILL: no shutdown, no cleanup
        }

        var createdBeforeKill = await env.Admin.CounterAsync("batch_creates_total");
        var recordedBeforeKill = await env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch where remote_batch_id is not null");
        Assert.Equal(0L, recordedBeforeKill); // killed inside the window: created remotely, not recorded here

        await using var second = WorkerProcess.Start(env.Root, ["run"], Settings());
        try
        {
            await WithOutputAsync(second, Eventually.WaitAsync(
                () => env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"),
                n => n == 6,
                Patience,
                "all six files to end with job references after the restart"));
        }
        finally
        {
            await second.KillAsync();
        }

        var counters = await env.Admin.CountersAsync();
        Assert.True(createdBeforeKill >= 1);
        Assert.Equal(2, counters.BatchCreatesByDirectory.Count);
        Assert.All(counters.BatchCreatesByDirectory.Values, n => Assert.Equal(1, n));
        Assert.Contains(second.Output.Concat(second.Errors), line => line.Contains("adopting it", StringComparison.Ordinal)); // said by the second process
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = env.Settings();
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Pipeline:MaxFilesPerBatch"] = "3";
        settings["Sources:0:Schedule"] = "*/2 * * * * *";
        settings["Polling:Interval"] = "00:00:01";
        settings["Polling:InitialDelay"] = "00:00:00.200";
        settings["Polling:MaxDelay"] = "00:00:01";
        // A step killed mid-way is handed out again after this; its lease has lapsed by then.
        settings["Polling:StalledAfter"] = "00:00:06";
        settings["Leases:TimeToLive"] = "00:00:05";
        settings["Hangfire:Server:SchedulePollingInterval"] = "00:00:01";
        settings["Hangfire:Storage:QueuePollInterval"] = "00:00:00.500";
        // Killed while its schedulers held a Hangfire lock, the first process leaves the lock row behind.
        settings["Hangfire:Storage:DistributedLockTimeout"] = "00:00:05";
        settings["Serilog:MinimumLevel:Default"] = "Information";
        settings["Serilog:MinimumLevel:Override:Npgsql"] = "Warning";
        settings["Serilog:MinimumLevel:Override:Hangfire"] = "Warning";
        return settings;
    }

    private static async Task WithOutputAsync(WorkerProcess worker, Task waiting)
    {
        try
        {
            await waiting;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + Environment.NewLine + string.Join(Environment.NewLine, worker.Output.Concat(worker.Errors).TakeLast(40)), ex);
        }
    }
}
