using System.Diagnostics;
using BatchOrchestrator.Sandbox;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Worker.Tests;

/// <summary>
/// The built Worker as a child process, killed with SIGKILL while it uploads (issue 4; ProcessKillFacts kills it between a batch create and its recording), then started again: the
/// second process resumes where the first stopped, and no file is uploaded twice.
/// </summary>
public sealed class UploadKillFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private const string ApiKey = "llx-kill-test";
    private const int Files = 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly string root = Directory.CreateTempSubdirectory("bo-upload-kill-").FullName;
    private readonly Lock output = new();
    private TestDatabase database = null!;
    private SandboxServer sandbox = null!;
    private SandboxAdmin admin = null!;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(server, "uploadkill");
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
    public async Task AWorkerKilledMidUpload_IsResumedByTheNextProcess_WithEveryFileUploadedExactlyOnce()
    {
        for (var i = 0; i < Files; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(root, "inbox", $"doc-{i:D2}.txt"), new string((char)('a' + i), 8_000), TestContext.Current.CancellationToken);
        }

        // Slow uploads (2 s each, 4 at a time: about 10 s for all) keep several in flight when the kill lands.
        await admin.SetFaultsAsync(new { slow_upload_bytes_per_second = 4_000, routes = new[] { "/files/upload" } });
        using (var first = StartWorker())
        {
            await Eventually.WaitAsync(async () => (await admin.CountersAsync()).UploadsTotal >= 5, Patience, "some uploads to have happened");
            first.Kill(); // SIGKILL: no shutdown, no cleanup, leases and Hangfire's job left as they were
            await first.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var beforeRestart = (await admin.CountersAsync()).UploadsTotal;
        using var second = StartWorker();
        try
        {
            await Eventually.WaitAsync(
                () => database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"), n => n == Files, Patience, "every file to succeed after the restart");
        }
        finally
        {
            second.Kill();
            await second.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var counters = await admin.CountersAsync();
        Assert.InRange(beforeRestart, 5, Files - 1); // the kill landed mid-way
        Assert.Equal(Files, counters.UploadsByUniqueId.Count);
        Assert.All(counters.UploadsByUniqueId.Values, n => Assert.Equal(1, n));
    }

    private Process StartWorker()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "BatchOrchestrator.Worker.dll")])
        {
            WorkingDirectory = root, // the content root: no appsettings.json here, only what is set below
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var environment = new Dictionary<string, string>
        {
            ["Database__ConnectionString"] = database.ConnectionString,
            ["LLAMA_CLOUD_API_KEY"] = ApiKey,
            ["LLAMA_CLOUD_BASE_URL"] = sandbox.BaseAddress.ToString(),
            ["Urls"] = "http://127.0.0.1:0",
            ["Sources__0__Name"] = "kill",
            ["Sources__0__Path"] = "inbox",
            ["Sources__0__Schedule"] = "*/2 * * * * *",
            ["Sources__0__SettleWindow"] = "00:00:00",
            ["Sources__0__Watch"] = "false",
            ["Leases__TimeToLive"] = "00:00:05",
            ["Polling__Interval"] = "00:00:01",
            ["Polling__InitialDelay"] = "00:00:00.100",
            ["Polling__MaxDelay"] = "00:00:01",
            ["Polling__StalledAfter"] = "00:00:10",
            ["Hangfire__Server__SchedulePollingInterval"] = "00:00:01",
            ["Hangfire__Storage__QueuePollInterval"] = "00:00:00.200",
            // A job of a killed process is handed out again after this; the live one keeps extending it.
            ["Hangfire__Storage__InvisibilityTimeout"] = "00:00:05",
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                TestContext.Current.TestOutputHelper?.WriteLine(line);
            }
        }
    }
}
