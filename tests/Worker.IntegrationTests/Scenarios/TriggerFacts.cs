using BatchOrchestrator.Core.Sources;
using Hangfire.Common;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;

namespace BatchOrchestrator.Worker.IntegrationTests.Scenarios;

/// <summary>What starts a run: the cron schedule (once after downtime), file-system events (debounced, a hint only), and a person.</summary>
public sealed class TriggerFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private const string ApiKey = "llx-triggers";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string root = Directory.CreateTempSubdirectory("bo-trigger-").FullName;
    private TestDatabase database = null!;
    private SandboxServer sandbox = null!;

    private string Inbox => Path.Combine(root, "inbox");

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(server, "triggers");
        sandbox = await SandboxServer.StartAsync(new SandboxOptions { ApiKey = ApiKey, StepDelay = TimeSpan.FromMilliseconds(50) });
        Directory.CreateDirectory(Inbox);
    }

    public async ValueTask DisposeAsync()
    {
        await sandbox.DisposeAsync();
        await database.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task AfterThreeDaysOfDowntime_TheMissedNightlyRunHappensOnce_InTheSourcesTimeZone()
    {
        var settings = Settings(schedule: "0 2 * * *");
        settings["Sources:0:TimeZone"] = "Europe/Berlin";
        await using (var before = await WorkerHost.StartAsync(root, settings))
        {
            using var connection = before.Services.GetRequiredService<JobStorage>().GetConnection();
            Assert.Equal("Europe/Berlin", connection.GetRecurringJobs().Single(j => j.Id == "run-source-t").TimeZoneId);
        }

        // The service was down for three nights: the schedule's last run and next due time lie in the past.
        var storage = JobStorageFactory.Create(database.ConnectionString, new JobStorageOptions());
        var missedSince = DateTime.UtcNow.AddDays(-3);
        using (var connection = storage.GetConnection())
        using (var write = connection.CreateWriteTransaction())
        {
            write.SetRangeInHash("recurring-job:run-source-t", new Dictionary<string, string>
            {
                ["LastExecution"] = JobHelper.SerializeDateTime(missedSince),
                ["NextExecution"] = JobHelper.SerializeDateTime(missedSince.AddHours(1)),
            });
            write.AddToSet("recurring-jobs", "run-source-t", JobHelper.ToTimestamp(missedSince.AddHours(1)));
            write.Commit();
        }

        await using var after = await WorkerHost.StartAsync(root, settings);
        await Eventually.WaitAsync(
            () => Task.FromResult(NextExecution(storage) > DateTime.UtcNow),
            Patience,
            "the scheduler to catch up with the missed occurrences");

        Assert.Equal(1L, await database.ScalarAsync<long>(
            "select count(*) from hangfire.jobparameter where name = 'RecurringJobId' and value = '\"run-source-t\"'"));
    }

    [Fact]
    public async Task ABurstOfFileSystemEvents_StartsOneRun_AfterTheDebounce()
    {
        var scheduler = new RecordingScheduler();
        var logs = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));
        var sources = new SourcesOptions { Sources = [new SourceOptions { Name = "w", Path = Inbox, Watch = true }] };
        using var watcher = new SourceWatcher(
            Options.Create(sources), Options.Create(new WatchOptions { Debounce = TimeSpan.FromMilliseconds(300) }), scheduler, new ServedQueues([]), TimeProvider.System, loggers.CreateLogger<SourceWatcher>());
        await watcher.StartAsync(Ct);

        // StartAsync may return before ExecuteAsync has opened the watcher (it runs on the thread pool);
        // files written before then send no event, and the watcher's start-up run takes them.
        await Eventually.WaitAsync(
            () => Task.FromResult(logs.Lines.Any(l => l.Contains($"Watching {Inbox} for changes", StringComparison.Ordinal))), Patience, "the watcher to start");
        await Eventually.WaitAsync(() => Task.FromResult(scheduler.Calls.Count), n => n == 1, Patience, "the start-up run");

        for (var i = 0; i < 30; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(Inbox, $"burst-{i}.txt"), "x", Ct);
        }

        await Eventually.WaitAsync(() => Task.FromResult(scheduler.Calls.Count), n => n > 1, Patience, "a run after the burst");
        File.Delete(Path.Combine(Inbox, "burst-0.txt"));
        await Eventually.WaitAsync(() => Task.FromResult(scheduler.Calls.Count), n => n > 2, Patience, "a run after the second event");
        await watcher.StopAsync(CancellationToken.None);

        Assert.Equal([("run", "w:Watch"), ("run", "w:Watch"), ("run", "w:Watch")], scheduler.Calls);
    }

    [Fact]
    public async Task WithNoFileSystemEventsAtAll_ThePeriodicScanStillTakesEveryFile()
    {
        // As on an NFS or SMB mount, or after inotify overflowed: no watcher, only the schedule.
        await using var host = await WorkerHost.StartAsync(root, Settings(schedule: "*/1 * * * * *"));
        await File.WriteAllTextAsync(Path.Combine(Inbox, "dropped-on-nfs.txt"), "no event for me", Ct);

        await Eventually.WaitAsync(
            () => database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"), n => n == 1, Patience, "the file to be processed");

        Assert.True(await database.ScalarAsync<long>("select count(*) from orchestrator.run where trigger = 'Schedule'") >= 1);
    }

    [Fact]
    public async Task ARunByHand_IsRecordedAsManual_AndProcessesTheFolder()
    {
        await using var host = await WorkerHost.StartAsync(root, Settings(schedule: "0 0 1 1 *"));
        await File.WriteAllTextAsync(Path.Combine(Inbox, "by-hand.txt"), "started by a person", Ct);

        host.Services.GetRequiredService<IPipelineScheduler>().EnqueueRun("t", RunTrigger.Manual);

        await Eventually.WaitAsync(
            () => database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"), n => n == 1, Patience, "the file to be processed");
        Assert.Equal(["Manual"], await database.ListAsync("select trigger from orchestrator.run", r => r.GetString(0)));
    }

    private static DateTime NextExecution(JobStorage storage)
    {
        using var connection = storage.GetConnection();
        var value = connection.GetAllEntriesFromHash("recurring-job:run-source-t")?.GetValueOrDefault("NextExecution");
        return value is null ? DateTime.MinValue : JobHelper.DeserializeDateTime(value);
    }

    private Dictionary<string, string?> Settings(string schedule) => new()
    {
        ["Database:ConnectionString"] = database.ConnectionString,
        ["LLAMA_CLOUD_API_KEY"] = ApiKey,
        ["LLAMA_CLOUD_BASE_URL"] = sandbox.BaseAddress.ToString(),
        ["Sources:0:Name"] = "t",
        ["Sources:0:Path"] = "inbox",
        ["Sources:0:Schedule"] = schedule,
        ["Sources:0:SettleWindow"] = "00:00:00",
        ["Sources:0:Watch"] = "false",
    };
}
