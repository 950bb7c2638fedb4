using Microsoft.Extensions.FileSystemGlobbing;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Include/exclude globs applied to relative paths in managed code (filtering in the enumeration
/// pattern is much slower on some platforms: dotnet/runtime#110754). Temporary names are excluded
/// unless the source opts out. With no globs of its own the filter only looks at the file name, so
/// the common case costs a few string comparisons per file instead of a glob match.
/// </summary>
internal sealed class GlobFilter
{
    private static readonly string[] EverythingPatterns = ["**/*", "**"];
    private readonly Matcher? matcher;
    private readonly bool ignoreTemporary;

    public GlobFilter(IReadOnlyCollection<string> include, IReadOnlyCollection<string> exclude, bool ignoreTemporary = true)
    {
        this.ignoreTemporary = ignoreTemporary;
        if (exclude.Count == 0 && include.All(p => EverythingPatterns.Contains(p, StringComparer.Ordinal)))
        {
            return;
        }

        matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddIncludePatterns(include.Count == 0 ? ["**/*"] : include);
        matcher.AddExcludePatterns(exclude);
    }

    /// <summary>Whether a path relative to the source root, with '/' separators, is taken.</summary>
    public bool Matches(string relativePath)
    {
        if (ignoreTemporary && IsTemporaryName(relativePath.AsSpan(relativePath.LastIndexOf('/') + 1)))
        {
            return false;
        }

        return matcher is null || matcher.Match(relativePath).HasMatches;
    }

    /// <summary>Names of files still being written by common tools (<see cref="SourceOptions.TemporaryNamePatterns"/>).</summary>
    public static bool IsTemporaryName(ReadOnlySpan<char> name) =>
        name.EndsWith(".tmp", StringComparison.Ordinal)
        || name.EndsWith(".partial", StringComparison.Ordinal)
        || name.StartsWith("~$", StringComparison.Ordinal)
        || (name.StartsWith(".~lock.", StringComparison.Ordinal) && name.EndsWith("#", StringComparison.Ordinal));

    public static IEnumerable<string> Validate(IEnumerable<string> patterns, string key)
    {
        var i = 0;
        foreach (var pattern in patterns)
        {
            if (string.IsNullOrWhiteSpace(pattern))
            {
                yield return $"{key}:{i}: is empty";
            }
            else if (Path.IsPathRooted(pattern) || pattern.Split('/', '\\').Contains(".."))
            {
                yield return $"{key}:{i}: '{pattern}' must be relative to the source path and stay inside it";
            }

            i++;
        }
    }
}
