using System.Diagnostics;
using System.Globalization;
using System.IO.Enumeration;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Bench;

/// <summary>The generated tree the scan benchmarks walk (1,000 small files per folder), and the walks compared on it.</summary>
internal static class ScanTree
{
    public const int FilesPerFolder = 1_000;

    private static readonly EnumerationOptions Recursive = new() { RecurseSubdirectories = true, AttributesToSkip = 0 };

    public static int Folders(int files) => (files + FilesPerFolder - 1) / FilesPerFolder;

    public static void Make(string root, int files, string prefix = "file")
    {
        Parallel.For(0, Folders(files), folder =>
        {
            var directory = Path.Combine(root, string.Create(CultureInfo.InvariantCulture, $"d{folder:D4}"));
            Directory.CreateDirectory(directory);
            for (var i = folder * FilesPerFolder; i < Math.Min(files, (folder + 1) * FilesPerFolder); i++)
            {
                File.WriteAllText(Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{prefix} {i:D7}.txt")), string.Create(CultureInfo.InvariantCulture, $"document {i}"));
            }
        });
    }

    /// <summary>
    /// The raw baseline: every file's size and mtime, the fastest way .NET offers (one lstat per file, no
    /// FileInfo, no path strings), which is as fast as <c>find -printf</c> on a warm cache.
    /// </summary>
    public static int RawWalk(string root)
    {
        var walk = new FileSystemEnumerable<long>(root, static (ref entry) => entry.Length ^ entry.LastWriteTimeUtc.UtcTicks, Recursive)
        {
            ShouldIncludePredicate = static (ref entry) => !entry.IsDirectory,
        };
        var count = 0;
        long checksum = 0;
        foreach (var stamp in walk)
        {
            checksum += stamp;
            count++;
        }

        return checksum == 42 ? -count : count;
    }

    /// <summary>The scanner's own walk (sorted, filtered, odd entries reported), without the database.</summary>
    public static int OurWalk(string root)
    {
        var walker = new SourceWalker(root, new GlobFilter([], []), SymlinkPolicy.Follow, long.MaxValue, static _ => { });
        var count = 0;
        foreach (var _ in walker.Walk())
        {
            count++;
        }

        return count;
    }

    /// <summary>GNU find stating every file, as an outside reference (it pays for a process and its output).</summary>
    public static int Find(string root)
    {
        using var find = Process.Start(new ProcessStartInfo("find", [root, "-type", "f", "-printf", "%s %T@ %p\n"]) { RedirectStandardOutput = true })!;
        var count = 0;
        while (find.StandardOutput.ReadLine() is not null)
        {
            count++;
        }

        find.WaitForExit();
        return count;
    }
}
