using System.Collections.Concurrent;
using System.Diagnostics;
using BatchOrchestrator.Sandbox;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Worker.Tests;

/// <summary>
/// The strongest form of the crash-safety proof: the Worker runs as a child process and is killed
/// with SIGKILL right after LlamaCloud created a batch and before the Worker recorded it (the
/// Sandbox drops the create's answer, so no attempt can record it; the retry would come two seconds
/// later). A second process then takes over from what the database says, and the Sandbox's counter
/// shows whether any directory got a second batch.
/// </summary>
public sealed class ProcessKillFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private const string ApiKey = "llx-kill-e2e";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly string root = Directory.CreateTempSubdirectory("bo-kill-").FullName;
    private readonly ConcurrentQueue<string> output = new();
    private TestDatabase database = null!;
    private SandboxServer sandbox = null!;
    private SandboxAdmin admin = null!;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(server, "kill");
        sandbox = await SandboxServer.StartAsync(new SandboxOptions { ApiKey = ApiKey, StepDelay = TimeSpan.FromMilliseconds(50) });
        admin = new SandboxAdmin(sandbox.BaseAddress);
        Directory.CreateDirectory(Path.Combine(root, "inbox"));
    }

    public async ValueTask DisposeAsync()
    {
        admin.Dispose();
        await sandbox.DisposeAsync();
        await database.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task AWorkerKilledBetweenTheCreateAndItsRecording_IsSucceededByOneThatAdoptsTheBatch()
    {
        for (var i = 0; i < 6; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(root, "inbox", $"doc-{i}.txt"), $"document {i}", TestContext.Current.CancellationToken);
        }

        await admin.SetFaultsAsync(new { drop_after_effect_rate = 1.0, routes = new[] { "POST /api/v2/batches" } });
        using (var first = StartWorker("first"))
        {
            await WithOutputAsync(Eventually.WaitAsync(() => admin.CounterAsync("batch_creates_total"), n => n >= 1, Patience, "the first batch to be created remotely"));
            first.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no cleanup
            await first.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var createdBeforeKill = await admin.CounterAsync("batch_creates_total");
        var recordedBeforeKill = await database.ScalarAsync<long>("select count(*) from orchestrator.batch where remote_batch_id is not null");
        Assert.Equal(0L, recordedBeforeKill); // killed inside the window: created remotely, not recorded here

        using var second = StartWorker("second");
        try
        {
            await WithOutputAsync(Eventually.WaitAsync(
                () => database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"),
                n => n == 6,
                Patience,
                "all six files to end with job references after the restart"));
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync(CancellationToken.None);
        }

        var counters = await admin.CountersAsync();
        Assert.True(createdBeforeKill >= 1);
        Assert.Equal(2, counters.BatchCreatesByDirectory.Count);
        Assert.All(counters.BatchCreatesByDirectory.Values, n => Assert.Equal(1, n));
        Assert.Contains(output, line => line.StartsWith("second:", StringComparison.Ordinal) && line.Contains("adopting it", StringComparison.Ordinal));
    }

    private Process StartWorker(string name)
    {
        var executable = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "BatchOrchestrator.Worker.exe" : "BatchOrchestrator.Worker");
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var environment = new Dictionary<string, string>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Database__ConnectionString"] = database.ConnectionString,
            ["LLAMA_CLOUD_API_KEY"] = ApiKey,
            ["LLAMA_CLOUD_BASE_URL"] = sandbox.BaseAddress.ToString(),
            ["Pipeline__MaxFilesPerBatch"] = "3",
            ["Sources__0__Name"] = "kill",
            ["Sources__0__Path"] = "inbox",
            ["Sources__0__Schedule"] = "*/2 * * * * *",
            ["Sources__0__SettleWindow"] = "00:00:00",
            ["Sources__0__Watch"] = "false",
            ["Polling__Interval"] = "00:00:01",
            ["Polling__InitialDelay"] = "00:00:00.200",
            ["Polling__MaxDelay"] = "00:00:01",
            // A step killed mid-way is handed out again after this; its lease has lapsed by then.
            ["Polling__StalledAfter"] = "00:00:06",
            ["Leases__TimeToLive"] = "00:00:05",
            ["Hangfire__Server__SchedulePollingInterval"] = "00:00:01",
            ["Hangfire__Storage__QueuePollInterval"] = "00:00:00.500",
            // Killed while its schedulers held a Hangfire lock, the first process leaves the lock row behind.
            ["Hangfire__Storage__DistributedLockTimeout"] = "00:00:05",
            ["Serilog__MinimumLevel__Default"] = "Information",
            ["Serilog__MinimumLevel__Override__Npgsql"] = "Warning",
            ["Serilog__MinimumLevel__Override__Hangfire"] = "Warning",
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Keep(name, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(name, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Keep(string name, string? line)
    {
        if (line is not null)
        {
            output.Enqueue($"{name}: {line}");
        }
    }

    private async Task WithOutputAsync(Task waiting)
    {
        try
        {
            await waiting;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + Environment.NewLine + string.Join(Environment.NewLine, output.TakeLast(40)), ex);
        }
    }
}
