namespace BatchOrchestrator.Worker.IntegrationTests.Scenarios;

/// <summary>
/// The built Worker as a child process, killed with SIGKILL while it uploads (ProcessKillFacts kills it between a batch create and its recording), then started again: the
/// second process resumes where the first stopped, and no file is uploaded twice.
/// </summary>
public sealed class UploadKillFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private const int Files = 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task AWorkerKilledMidUpload_IsResumedByTheNextProcess_WithEveryFileUploadedExactlyOnce()
    {
        for (var i = 0; i < Files; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(Env.Inbox, $"doc-{i:D2}.txt"), new string((char)('a' + i), 8_000), Ct);
        }

        // Slow uploads (2 s each, 4 at a time: about 10 s for all) keep several in flight when the kill lands.
        await Env.Admin.SetFaultsAsync(new { slow_upload_bytes_per_second = 4_000, routes = new[] { "/files/upload" } });
        await using (var first = WorkerProcess.Start(Env.Root, ["run"], Settings()))
        {
            await Env.EventuallyAsync(async () => (await Env.Admin.CountersAsync()).UploadsTotal >= 5, Patience, "some uploads to have happened");
            await first.KillAsync(); // SIGKILL: no shutdown, no cleanup, leases and Hangfire's job left as they were
        }

        var beforeRestart = (await Env.Admin.CountersAsync()).UploadsTotal;
        await using var second = WorkerProcess.Start(Env.Root, ["run"], Settings());
        try
        {
            await ChildWorker.WithOutputAsync(Env, second, () => Env.EventuallyAsync(
                () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"), n => n == Files, Patience, "every file to succeed after the restart"));
        }
        finally
        {
            await second.KillAsync();
        }

        var counters = await Env.Admin.CountersAsync();
        Assert.InRange(beforeRestart, 5, Files - 1); // the kill landed mid-way
        Assert.Equal(Files, counters.UploadsByUniqueId.Count);
        Assert.All(counters.UploadsByUniqueId.Values, n => Assert.Equal(1, n));
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = Env.Settings();
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Sources:0:Schedule"] = "*/2 * * * * *";
        settings["Leases:TimeToLive"] = "00:00:05";
        settings["Polling:Interval"] = "00:00:01";
        settings["Polling:InitialDelay"] = "00:00:00.100";
        settings["Polling:MaxDelay"] = "00:00:01";
        settings["Polling:StalledAfter"] = "00:00:10";
        settings["Hangfire:Server:SchedulePollingInterval"] = "00:00:01";
        settings["Hangfire:Storage:QueuePollInterval"] = "00:00:00.200";
        // Killed while its schedulers held a Hangfire lock, the first process leaves the row behind: the second
        // waits it out (RecurringJobsRegistration) for this long rather than a minute.
        settings["Hangfire:Storage:DistributedLockTimeout"] = "00:00:05";
        // A job of a killed process is handed out again after this; the live one keeps extending it.
        settings["Hangfire:Storage:InvisibilityTimeout"] = "00:00:05";
        settings["Serilog:MinimumLevel:Default"] = "Warning";
        return settings;
    }
}
