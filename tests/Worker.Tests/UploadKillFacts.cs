using System.Diagnostics;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Worker.Tests;

/// <summary>
/// The built Worker as a child process, killed with SIGKILL while it uploads (issue 4; ProcessKillFacts kills it between a batch create and its recording), then started again: the
/// second process resumes where the first stopped, and no file is uploaded twice.
/// </summary>
public sealed class UploadKillFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private const int Files = 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly Lock output = new();
    private TestEnvironment env = null!;

    public async ValueTask InitializeAsync() => env = await TestEnvironment.CreateAsync(server, "uploadkill");

    public ValueTask DisposeAsync() => env.DisposeAsync();

    [Fact]
    public async Task AWorkerKilledMidUpload_IsResumedByTheNextProcess_WithEveryFileUploadedExactlyOnce()
    {
        for (var i = 0; i < Files; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(env.Inbox, $"doc-{i:D2}.txt"), new string((char)('a' + i), 8_000), TestContext.Current.CancellationToken);
        }

        // Slow uploads (2 s each, 4 at a time: about 10 s for all) keep several in flight when the kill lands.
        await env.Admin.SetFaultsAsync(new { slow_upload_bytes_per_second = 4_000, routes = new[] { "/files/upload" } });
        using (var first = StartWorker())
        {
            await Eventually.WaitAsync(async () => (await env.Admin.CountersAsync()).UploadsTotal >= 5, Patience, "some uploads to have happened");
            first.Kill(); // SIGKILL: no shutdown, no cleanup, leases and Hangfire's job left as they were
            await first.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var beforeRestart = (await env.Admin.CountersAsync()).UploadsTotal;
        using var second = StartWorker();
        try
        {
            await Eventually.WaitAsync(
                () => env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"), n => n == Files, Patience, "every file to succeed after the restart");
        }
        finally
        {
            second.Kill();
            await second.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var counters = await env.Admin.CountersAsync();
        Assert.InRange(beforeRestart, 5, Files - 1); // the kill landed mid-way
        Assert.Equal(Files, counters.UploadsByUniqueId.Count);
        Assert.All(counters.UploadsByUniqueId.Values, n => Assert.Equal(1, n));
    }

    private Process StartWorker()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "BatchOrchestrator.Worker.dll")])
        {
            WorkingDirectory = env.Root, // the content root: no appsettings.json here, only what Settings() sets
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in Settings())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = env.Settings();
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Sources:0:Schedule"] = "*/2 * * * * *";
        settings["Leases:TimeToLive"] = "00:00:05";
        settings["Polling:Interval"] = "00:00:01";
        settings["Polling:InitialDelay"] = "00:00:00.100";
        settings["Polling:MaxDelay"] = "00:00:01";
        settings["Polling:StalledAfter"] = "00:00:10";
        settings["Hangfire:Server:SchedulePollingInterval"] = "00:00:01";
        settings["Hangfire:Storage:QueuePollInterval"] = "00:00:00.200";
        // A job of a killed process is handed out again after this; the live one keeps extending it.
        settings["Hangfire:Storage:InvisibilityTimeout"] = "00:00:05";
        settings["Serilog:MinimumLevel:Default"] = "Warning";
        return settings;
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
