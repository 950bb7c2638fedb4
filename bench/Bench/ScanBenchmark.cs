using System.Diagnostics;
using System.Globalization;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Sources;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace BatchOrchestrator.Bench;

/// <summary>
/// Issue 4 point 10: an unchanged re-scan of a 100,000-file tree against a raw enumeration of the same
/// tree (Directory.EnumerateFiles with size and mtime) in the same run, and the peak memory (VmHWM of a
/// child process) of a scan of 100,000 and 1,000,000 files against the raw enumeration's.
/// </summary>
internal sealed class ScanBenchmark : IBenchmark
{
    public const string ChildVerb = "scan-child";
    private const int FilesPerFolder = 1_000;
    private const int Rounds = 5;

    // Issue 4's budget: under 200 MB at one million files; the baseline column shows the budget, the note the raw figure.
    private const double MemoryBudgetMb = 200;

    public string Name => "scan";

    public string Description => "unchanged re-scan of 100k files vs Directory.EnumerateFiles with size and mtime; peak memory at 100k and 1M files";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var results = new List<BenchResult>();
        var sizes = new[] { context.Scaled(100_000), context.Scaled(1_000_000) };
        foreach (var files in sizes)
        {
            var root = Path.Combine(context.Scratch, $"tree-{files}");
            var made = Stopwatch.StartNew();
            MakeTree(root, files);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   made {files} files in {files / FilesPerFolder} folders in {made.Elapsed.TotalSeconds:F1} s"));
            var connectionString = await context.Postgres.CreateDatabaseAsync($"scan{files}");
            try
            {
                // Each in a child process of its own, for its peak resident memory (VmHWM): the first scan
                // (every file new and hashed), the raw enumeration, then an unchanged re-scan.
                var full = await RunChildAsync("ours", root, connectionString, cancellationToken);
                var raw = await RunChildAsync("raw", root, connectionString, cancellationToken);
                var rescan = await RunChildAsync("ours", root, connectionString, cancellationToken);
                var note = string.Create(CultureInfo.InvariantCulture, $"raw enumeration peaks at {raw.PeakMb:F0} MB");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   first scan {full.Seconds:F1} s, unchanged re-scan {rescan.Seconds:F2} s, raw enumeration {raw.Seconds:F2} s (each a fresh process)"));
                results.Add(new BenchResult($"peak RSS, first scan of {files:N0} files", full.PeakMb, MemoryBudgetMb, "MB", 1, LowerIsBetter: true, note));
                results.Add(new BenchResult($"peak RSS, unchanged re-scan of {files:N0}", rescan.PeakMb, MemoryBudgetMb, "MB", 1, LowerIsBetter: true, note));
                if (files == sizes[0])
                {
                    results.Add(await TimeRescanAsync(root, files, connectionString, cancellationToken));
                }
            }
            finally
            {
                var deleted = Stopwatch.StartNew();
                Directory.Delete(root, recursive: true);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   deleted the tree in {deleted.Elapsed.TotalSeconds:F1} s"));
            }
        }

        return results;
    }

    /// <summary>Ours and the raw enumeration, alternating in this process (warm cache, JIT done), median of each.</summary>
    private static async Task<BenchResult> TimeRescanAsync(string root, int files, string connectionString, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var scanner = new SourceScanner(new NpgsqlSourceScanStore(dataSource), TimeProvider.System, NullLogger<SourceScanner>.Instance);
        var source = Source(root);
        var ours = new List<double>();
        var raw = new List<double>();
        RawEnumerate(root);
        await scanner.ScanAsync(source, cancellationToken);
        for (var i = 0; i < Rounds; i++)
        {
            var clock = Stopwatch.StartNew();
            var seen = RawEnumerate(root);
            raw.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            var summary = await scanner.ScanAsync(source, cancellationToken);
            ours.Add(clock.Elapsed.TotalMilliseconds);
            if (summary.Seen != files || summary.NewOrChanged != 0 || seen != files)
            {
                throw new InvalidOperationException($"Expected an unchanged tree of {files} files; saw {summary}, raw {seen}");
            }
        }

        return new BenchResult($"unchanged re-scan of {files:N0} files", Median(ours), Median(raw), "ms", Target: 1.5, LowerIsBetter: true, Note: $"median of {Rounds}");
    }

    /// <summary>The baseline: every file's path, size and mtime, nothing else.</summary>
    public static int RawEnumerate(string root)
    {
        var count = 0;
        long checksum = 0;
        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var info = new FileInfo(path);
            checksum += info.Length ^ info.LastWriteTimeUtc.Ticks;
            count++;
        }

        return checksum == 42 ? -count : count;
    }

    /// <summary>The child's work: "ours" scans once into the database, "raw" enumerates; prints its peak RSS.</summary>
    public static async Task<int> ChildAsync(string mode, string root, string connectionString)
    {
        var clock = Stopwatch.StartNew();
        if (mode == "raw")
        {
            RawEnumerate(root);
        }
        else
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            var scanner = new SourceScanner(new NpgsqlSourceScanStore(dataSource), TimeProvider.System, NullLogger<SourceScanner>.Instance);
            await scanner.ScanAsync(Source(root), CancellationToken.None);
        }

        var peakKb = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{peakKb} {clock.Elapsed.TotalSeconds:F3}"));
        return 0;
    }

    private static async Task<(double PeakMb, double Seconds)> RunChildAsync(string mode, string root, string connectionString, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet", [typeof(ScanBenchmark).Assembly.Location, ChildVerb, mode, root, connectionString])
        {
            RedirectStandardOutput = true,
        };
        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync(cancellationToken);
        await child.WaitForExitAsync(cancellationToken);
        var fields = output.Trim().Split('\n')[^1].Split(' ');
        if (child.ExitCode != 0 || fields.Length != 2)
        {
            throw new InvalidOperationException($"scan child ({mode}) failed: {output}");
        }

        return (double.Parse(fields[0], CultureInfo.InvariantCulture) / 1024, double.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    private static SourceOptions Source(string root) => new() { Name = "bench", Path = root, SettleWindow = TimeSpan.Zero };

    internal static void MakeTree(string root, int files, string prefix = "file")
    {
        Parallel.For(0, (files + FilesPerFolder - 1) / FilesPerFolder, folder =>
        {
            var directory = Path.Combine(root, string.Create(CultureInfo.InvariantCulture, $"d{folder:D4}"));
            Directory.CreateDirectory(directory);
            for (var i = folder * FilesPerFolder; i < Math.Min(files, (folder + 1) * FilesPerFolder); i++)
            {
                File.WriteAllText(Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{prefix} {i:D7}.txt")), string.Create(CultureInfo.InvariantCulture, $"document {i}"));
            }
        });
    }

    internal static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
