namespace BatchOrchestrator.Worker.IntegrationTests.Faults;

/// <summary>
/// A burst of 50,000 file-system events into a watched folder: 500 files each written 50 times (two inotify
/// events a write), so the kernel's queue of 16,384 events (docs/reliability.md §1.5) can overflow while the
/// watcher reads. Events only hint (docs/architecture.md decision 9): whether the watcher overflowed or not
/// (the test reports which), every file's final content must be processed by the next scan at the latest.
/// <c>BO_FULL_FAULTS=1</c> runs the large variant: 50,000 tiny files written once each.
/// </summary>
[Collection(ChildProcesses.Collection)]
public sealed class WatcherBurstFacts(PostgresServerFixture server) : EnvironmentFacts(server, BurstSandbox())
{
    private static readonly bool Full = Environment.GetEnvironmentVariable("BO_FULL_FAULTS") == "1";
    [Fact]
    public async Task ABurstOfFiftyThousandEvents_LosesNoFile_TheScanCatchesWhatTheWatcherMissed()
    {
        var (files, writes) = Full ? (50_000, 1) : (500, 50);
        var settings = ChildWorker.Settings(Env, schedule: "*/15 * * * * *");
        settings["Sources:0:Watch"] = "true";
        settings["Sources:0:SettleWindow"] = "00:00:01";
        settings["Watching:Debounce"] = "00:00:01";
        settings["Pipeline:MaxFilesPerBatch"] = "1000";
        settings["Pipeline:UploadConcurrency"] = "16";
        settings["LlamaCloud:UploadRateLimit:PermitLimit"] = "0";
        settings["Serilog:MinimumLevel:Override:BatchOrchestrator.Worker.Watching"] = "Information";

        await using var worker = WorkerProcess.Start(Env.Root, ["run"], settings);
        await ChildWorker.WithOutputAsync(Env, worker, () => Env.EventuallyAsync(
            () => Task.FromResult(worker.Output.Any(l => l.Contains("Watching", StringComparison.Ordinal))), ChildWorker.Patience, "the watcher to start"));
        for (var write = 0; write < writes; write++)
        {
            for (var i = 0; i < files; i++)
            {
                var name = Path.Combine(Env.Inbox, string.Create(CultureInfo.InvariantCulture, $"f{i / 1000:D2}-{i:D5}.txt"));
                await File.WriteAllTextAsync(name, string.Create(CultureInfo.InvariantCulture, $"file {i}, write {write}"), Ct);
            }
        }

        await ChildWorker.WithOutputAsync(Env, worker, () => Env.EventuallyAsync(
            async () => await FinalVersionsSucceededAsync(files, writes) == files,
            Full ? TimeSpan.FromMinutes(20) : ChildWorker.Patience,
            "every file's final content to be processed"));
        await worker.StopAsync();

        var overflowed = worker.Output.Concat(worker.Errors).Any(l => l.Contains("lost events", StringComparison.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine($"{files * writes * 2} events; the watcher {(overflowed ? "overflowed and asked for a full scan" : "kept up")}");
        await Invariants.AssertHoldAsync(Env.Database, Env.Admin, ChildWorker.Invariants(Env, kills: 0) with { EligibleFiles = InvariantOptions.FilesIn(Env.Inbox) });
    }

    /// <summary>Paths whose last write's content ended Succeeded with a job reference.</summary>
    private async Task<long> FinalVersionsSucceededAsync(int files, int writes)
    {
        var expected = Enumerable.Range(0, files).Select(i => string.Create(CultureInfo.InvariantCulture, $"file {i}, write {writes - 1}")).ToArray();
        var hashes = expected.Select(text => System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))).ToArray();
        return await Env.Database.ScalarAsync<long>(
            "select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null and sha256 = any($1)", (object)hashes);
    }

    private static SandboxOptions BurstSandbox()
    {
        var sandbox = new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(50) };
        sandbox.RateLimits["uploads"] = new SandboxRateLimit { PermitLimit = 0, Window = TimeSpan.FromSeconds(1) };
        return sandbox;
    }
}
