using System.IO.Enumeration;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Streams (path, size, mtime) for every file under a root, recursively, without materialising the
/// tree: one stat per file, as cheap as <c>find -printf</c> (PERF-RELIABILITY.md §1.4).
/// Symbolic links to files are followed for size and mtime; directory links are not descended.
/// </summary>
internal static class SourceEnumerator
{
    private static readonly EnumerationOptions Options = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    public static IEnumerable<FileObservation> Enumerate(string root, GlobFilter filter)
    {
        var fullRoot = Path.GetFullPath(root);
        var enumerable = new FileSystemEnumerable<FileObservation?>(
            fullRoot,
            (ref entry) => Observe(ref entry, fullRoot, filter),
            Options)
        {
            ShouldIncludePredicate = (ref entry) => !entry.IsDirectory,
            ShouldRecursePredicate = (ref entry) => (entry.Attributes & FileAttributes.ReparsePoint) == 0,
        };

        foreach (var observation in enumerable)
        {
            if (observation is { } value)
            {
                yield return value;
            }
        }
    }

    private static FileObservation? Observe(ref FileSystemEntry entry, string root, GlobFilter filter)
    {
        var relative = Path.GetRelativePath(root, entry.ToFullPath()).Replace('\\', '/');
        if (!filter.Matches(relative))
        {
            return null;
        }

        return new FileObservation(relative, entry.Length, entry.LastWriteTimeUtc.UtcTicks);
    }
}
