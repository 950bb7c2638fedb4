using Microsoft.Extensions.FileSystemGlobbing;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Include/exclude globs applied to relative paths in managed code (filtering in the enumeration
/// pattern is much slower on some platforms: dotnet/runtime#110754). Temporary names are always excluded.
/// </summary>
internal sealed class GlobFilter
{
    private readonly Matcher matcher = new(StringComparison.Ordinal);

    public GlobFilter(IReadOnlyCollection<string> include, IReadOnlyCollection<string> exclude)
    {
        matcher.AddIncludePatterns(include.Count == 0 ? ["**/*"] : include);
        matcher.AddExcludePatterns(exclude);
        matcher.AddExcludePatterns(SourceOptions.TemporaryNamePatterns);
    }

    /// <summary>Whether a path relative to the source root, with '/' separators, is taken.</summary>
    public bool Matches(string relativePath) => matcher.Match(relativePath).HasMatches;

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
