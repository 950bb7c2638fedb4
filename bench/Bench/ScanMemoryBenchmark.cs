using System.Diagnostics;
using System.Globalization;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Sources;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace BatchOrchestrator.Bench;

/// <summary>
/// Peak resident memory (VmHWM) of a scan of 100,000 and 1,000,000 files, each in a fresh child process:
/// the first scan (every file new and hashed), an unchanged re-scan, and the raw walk of the same tree
/// as the baseline. The child also samples the managed heap in use, to tell managed from native growth. Then
/// the same trees through the published service's own <c>scan</c> verb (a full run: scan and planning, with
/// the service's runtime settings, server GC included), its peak read from /proc while it runs.
/// </summary>
internal sealed class ScanMemoryBenchmark : IBenchmark
{
    public const string ChildVerb = "scan-child";

    // The budget: under 200 MB at one million files.
    private const double MemoryBudgetMb = 200;

    public string Name => "scan-memory";

    public string Description => "peak RSS of a first scan and an unchanged re-scan at 100k and 1M files (fresh processes) vs the raw walk's";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var results = new List<BenchResult>();
        var worker = await PublishedWorker.PublishAsync(Path.Combine(context.Scratch, "app"), context.Option("worker"), cancellationToken);
        foreach (var files in new[] { context.Scaled(100_000), context.Scaled(1_000_000) })
        {
            var root = Path.Combine(context.Scratch, $"tree-{files}");
            var made = Stopwatch.StartNew();
            ScanTree.Make(root, files);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   made {files:N0} files in {ScanTree.Folders(files)} folders in {made.Elapsed.TotalSeconds:F1} s"));
            var connectionString = await context.Postgres.CreateDatabaseAsync($"scan{files}");
            try
            {
                var full = await RunChildAsync("ours", root, connectionString, cancellationToken);
                var raw = await RunChildAsync("raw", root, connectionString, cancellationToken);
                var rescan = await RunChildAsync("ours", root, connectionString, cancellationToken);
                foreach (var (label, child) in new[] { ("first scan", full), ("raw walk", raw), ("unchanged re-scan", rescan) })
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   {label,-18} {child.Seconds,7:F1} s, peak RSS {child.PeakMb,6:F1} MB, managed heap in use at most {child.ManagedMb,6:F1} MB"));
                }

                var serviceDatabase = await context.Postgres.CreateDatabaseAsync($"verb{files}");
                var serviceFull = await ServiceScan.RunAsync(worker, root, serviceDatabase, cancellationToken);
                var serviceRescan = await ServiceScan.RunAsync(worker, root, serviceDatabase, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   service 'scan' verb: first run {serviceFull.Seconds:F1} s, peak RSS {serviceFull.PeakMb:F1} MB; unchanged {serviceRescan.Seconds:F1} s, {serviceRescan.PeakMb:F1} MB"));

                var note = string.Create(CultureInfo.InvariantCulture, $"baseline: the raw walk's peak; target < {MemoryBudgetMb:F0} MB");
                results.Add(BenchResult.Absolute($"peak RSS, first scan of {files:N0} files", full.PeakMb, "MB", MemoryBudgetMb, note, raw.PeakMb));
                results.Add(BenchResult.Absolute($"peak RSS, unchanged re-scan of {files:N0}", rescan.PeakMb, "MB", MemoryBudgetMb, note, raw.PeakMb));
                results.Add(BenchResult.Absolute($"peak RSS, service 'scan' verb, {files:N0} new", serviceFull.PeakMb, "MB", MemoryBudgetMb, note, raw.PeakMb));
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }

        return results;
    }

    /// <summary>The child's work: "ours" scans once into the database, "raw" walks; prints peak RSS, managed heap in use at most bytes and seconds.</summary>
    public static async Task<int> ChildAsync(string mode, string root, string connectionString)
    {
        long gcPeak = 0;
        using var sampler = new Timer(_ => InterlockedMax(ref gcPeak, GC.GetTotalMemory(forceFullCollection: false)), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));
        var clock = Stopwatch.StartNew();
        if (mode == "raw")
        {
            ScanTree.RawWalk(root);
        }
        else
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            var scanner = new SourceScanner(new NpgsqlSourceScanStore(dataSource), TimeProvider.System, NullLogger<SourceScanner>.Instance);
            await scanner.ScanAsync(new SourceOptions { Name = "bench", Path = root, SettleWindow = TimeSpan.Zero }, CancellationToken.None);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        InterlockedMax(ref gcPeak, GC.GetTotalMemory(forceFullCollection: false));
        var peakKb = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{peakKb} {Interlocked.Read(ref gcPeak) / 1024} {seconds:F3}"));
        return 0;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static async Task<(double PeakMb, double ManagedMb, double Seconds)> RunChildAsync(string mode, string root, string connectionString, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet", [typeof(ScanMemoryBenchmark).Assembly.Location, ChildVerb, mode, root, connectionString])
        {
            RedirectStandardOutput = true,
        };
        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync(cancellationToken);
        await child.WaitForExitAsync(cancellationToken);
        var fields = output.Trim().Split('\n')[^1].Split(' ');
        if (child.ExitCode != 0 || fields.Length != 3)
        {
            throw new InvalidOperationException($"scan child ({mode}) failed: {output}");
        }

        double Mb(string kb) => double.Parse(kb, CultureInfo.InvariantCulture) / 1024;
        return (Mb(fields[0]), Mb(fields[1]), double.Parse(fields[2], CultureInfo.InvariantCulture));
    }
}
