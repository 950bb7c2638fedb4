using System.Diagnostics;
using System.Globalization;
using BatchOrchestrator.Sandbox;
using BatchOrchestrator.TestSupport;
using Npgsql;

namespace BatchOrchestrator.Bench;

/// <summary>
/// The whole pipeline, as deployed: the published Release Worker (shipped appsettings.json; its source on a
/// nightly schedule, watching its folder) against the Sandbox over loopback with LlamaCloud's upload limit
/// (50 per 5 s) and processing that takes time. N files (10,000 at full scale) are dropped into the folder;
/// the clock stops when every one has its job reference recorded and its result followed up. The baseline
/// is the limit itself, N / 10 per second; the target 1.2× that. Beside it: where the time went per step,
/// from the timestamps the pipeline keeps, and the Hangfire jobs it took, against ⌈N/1000⌉·6 + 20.
/// </summary>
internal sealed class EndToEndBenchmark : IBenchmark
{
    private const string Key = "llx-bench-e2e";

    public string Name => "e2e";

    public string Description => "N files dropped in a folder to every result followed up, Sandbox limited to 50 uploads per 5 s, vs N / the limit; Hangfire jobs for N files";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var files = context.Scaled(10_000);
        var folder = Path.Combine(context.Scratch, "e2e");
        var dll = await PublishedWorker.PublishAsync(Path.Combine(folder, "app"), context.Option("worker"), cancellationToken);
        // Processing that takes time (a guess at the service's pace: nothing published says it): a batch maps
        // 100 files to jobs every 2 s, and each parse job runs for 5 steps (10 s).
        var sandboxOptions = new SandboxOptions { ApiKey = Key, StepDelay = TimeSpan.FromSeconds(2), FilesMappedPerStep = 100, JobRunningSteps = 5 };
        var limit = sandboxOptions.RateLimits["uploads"];
        await using var sandbox = await SandboxServer.StartAsync(sandboxOptions, null, cancellationToken);
        using var admin = new SandboxAdmin(sandbox.BaseAddress);
        var connectionString = await context.Postgres.CreateDatabaseAsync("e2e");
        var inbox = Directory.CreateDirectory(Path.Combine(folder, "inbox")).FullName;
        var settings = new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = connectionString,
            ["LLAMA_CLOUD_API_KEY"] = Key,
            ["LLAMA_CLOUD_BASE_URL"] = sandbox.BaseAddress.ToString(),
            ["Sources:0:Path"] = inbox,
            ["Sources:0:Schedule"] = "0 2 * * *", // nightly: the drop itself starts the run (watching)
            ["FollowUp:OutputPath"] = Path.Combine(folder, "output"),
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };

        await using var worker = PublishedWorker.Start(dll, settings);
        await worker.WaitReadyAsync(TimeSpan.FromMinutes(3), cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var jobsBefore = await ScalarAsync(dataSource, "select coalesce(max(id), 0) from hangfire.job", cancellationToken);

        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, files, i => File.WriteAllText(Path.Combine(inbox, string.Create(CultureInfo.InvariantCulture, $"doc-{i:D6}.txt")), string.Create(CultureInfo.InvariantCulture, $"document {i}\nof the end-to-end benchmark\n")));
        var dropped = clock.Elapsed;
        var baselineSeconds = files / (limit.PermitLimit / limit.Window.TotalSeconds);
        var (firstUpload, lastUpload) = await WaitForAllFollowedUpAsync(dataSource, admin, clock, files, TimeSpan.FromSeconds(Math.Max(300, baselineSeconds * 3)), cancellationToken);
        var total = clock.Elapsed.TotalSeconds;

        var counters = await admin.CountersAsync();
        var ours = counters.UploadsByUniqueId.Where(u => u.Key.StartsWith("fv-", StringComparison.Ordinal)).ToList();
        if (ours.Count != files || ours.Any(u => u.Value != 1))
        {
            throw new InvalidOperationException($"Expected {files} files uploaded exactly once; the Sandbox counted {ours.Count} unique ids, {ours.Count(u => u.Value != 1)} more than once");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   {files:N0} files dropped in {dropped.TotalSeconds:F1} s; all followed up after {total:F1} s; {counters.ResponsesByStatus.GetValueOrDefault("429")} uploads answered 429"));
        await EndToEndReport.PrintStepsAsync(dataSource, start, firstUpload, lastUpload, cancellationToken);
        var jobs = await EndToEndReport.PrintJobsAsync(dataSource, jobsBefore, cancellationToken);
        var jobBudget = (Math.Ceiling(files / 1000.0) * 6) + 20;
        return
        [
            new BenchResult($"drop to followed up, {files:N0} files (s)", total, baselineSeconds, "s", 1.2, LowerIsBetter: true, $"baseline: N / {limit.PermitLimit} per {limit.Window.TotalSeconds:F0} s"),
            BenchResult.Absolute($"Hangfire jobs for {files:N0} files", jobs, "jobs", jobBudget, "target ⌈N/1000⌉·6 + 20"),
        ];
    }

    /// <summary>Waits until every file is followed up; returns when the first and the last upload were seen (sampled every half second).</summary>
    private static async Task<(TimeSpan? First, TimeSpan? Last)> WaitForAllFollowedUpAsync(
        NpgsqlDataSource dataSource, SandboxAdmin admin, Stopwatch clock, int files, TimeSpan patience, CancellationToken cancellationToken)
    {
        TimeSpan? firstUpload = null, lastUpload = null;
        var lastReport = clock.Elapsed;
        var unread = 0;
        while (true)
        {
            long uploads;
            try
            {
                uploads = (await admin.CountersAsync()).UploadsTotal;
                unread = 0;
            }
            catch (HttpRequestException ex) when (++unread < 10)
            {
                // One read of the counters cut short (seen once, 15 minutes into a run) must not end a 20-minute run;
                // the sample is taken again half a second later. Ten in a row end it.
                Console.WriteLine($"   (the Sandbox's counters could not be read: {ex.Message}; reading again)");
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                continue;
            }

            firstUpload ??= uploads > 0 ? clock.Elapsed : null;
            lastUpload ??= uploads >= files ? clock.Elapsed : null;
            var done = await ScalarAsync(dataSource, "select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp'", cancellationToken);
            if (done >= files)
            {
                return (firstUpload, lastUpload);
            }

            if (clock.Elapsed - lastReport > TimeSpan.FromMinutes(1))
            {
                lastReport = clock.Elapsed;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   … {clock.Elapsed.TotalMinutes:F0} min: {uploads:N0} uploaded, {done:N0} of {files:N0} followed up"));
            }

            if (clock.Elapsed > patience)
            {
                throw new TimeoutException($"Only {done} of {files} files were followed up after {patience}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    /// <summary>
    /// Lets PostgreSQL finish its own work after a bulk write (autovacuum, a checkpoint) now rather than during
    /// timed rounds: it slowed whichever rounds it overlapped by a third, either side alike.
    /// </summary>
    internal static async Task SettleAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await ScalarAsync(dataSource, "vacuum (analyze)", cancellationToken);
        await ScalarAsync(dataSource, "checkpoint", cancellationToken);
    }

    internal static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}
