using Microsoft.Extensions.FileSystemGlobbing;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Include/exclude globs applied to relative paths in managed code (filtering in the enumeration
/// pattern is much slower on some platforms: dotnet/runtime#110754). Temporary names, and hidden names (a file or
/// folder whose name starts with '.'), are excluded unless the source opts out. With no globs of its own the filter
/// only looks at the names, so the common case costs a few string comparisons per file instead of a glob match.
/// </summary>
internal sealed class GlobFilter
{
    private static readonly string[] EverythingPatterns = ["**/*", "**"];

    // What shells and other glob dialects take as wildcards, and Microsoft.Extensions.FileSystemGlobbing does not.
    private static readonly char[] NotWildcards = ['?', '[', '{'];
    private readonly Matcher? matcher;

    // The Exclude patterns read as paths: one matching a folder leaves out all of it, in the scan's matcher too.
    private readonly Matcher? excluded;
    private readonly bool ignoreTemporary;
    private readonly bool ignoreHidden;

    public GlobFilter(IReadOnlyCollection<string> include, IReadOnlyCollection<string> exclude, bool ignoreTemporary = true, bool ignoreHidden = false)
    {
        this.ignoreTemporary = ignoreTemporary;
        this.ignoreHidden = ignoreHidden;
        if (exclude.Count == 0 && include.All(p => EverythingPatterns.Contains(p, StringComparer.Ordinal)))
        {
            return;
        }

        matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddIncludePatterns(include.Count == 0 ? ["**/*"] : include.Select(Normalised).SelectMany(WithFolderContents));
        matcher.AddExcludePatterns(exclude.Select(Normalised));
        if (exclude.Count > 0)
        {
            excluded = new Matcher(StringComparison.Ordinal);
            excluded.AddIncludePatterns(exclude.Select(Normalised).SelectMany(WithFolderContents));
        }
    }

    /// <summary>
    /// The pattern with each doubled separator read as one ("inv//*.pdf" is "inv/*.pdf"): matched as written, the empty
    /// name between the two matches no folder, so it would take nothing and say nothing.
    /// </summary>
    private static string Normalised(string pattern)
    {
        var single = pattern.Replace('\\', '/');
        while (single.Contains("//", StringComparison.Ordinal))
        {
            single = single.Replace("//", "/", StringComparison.Ordinal);
        }

        return single;
    }

    /// <summary>
    /// An Include pattern whose last name has no wildcard ("docs", "inv/2024") takes that file, or everything in that
    /// folder: an Exclude pattern matching a folder leaves out everything in it, and the two read alike (docs/sources.md).
    /// A last name with a '*' ("**/*.pdf") names files only, so a folder called "scans.pdf" brings in none of its files.
    /// </summary>
    private static IEnumerable<string> WithFolderContents(string pattern)
    {
        yield return pattern;
        var last = pattern[(pattern.LastIndexOf('/') + 1)..];
        if (last.Length > 0 && last != "." && !last.Contains('*', StringComparison.Ordinal))
        {
            yield return pattern + "/**";
        }
    }

    /// <summary>The filter a source's scan applies: its globs, and the names it leaves out unless it opts in.</summary>
    public static GlobFilter For(SourceOptions source) => new(source.Include, source.Exclude, source.IgnoreTemporaryNames, !source.IncludeHidden);

    /// <summary>Whether a path relative to the source root, with '/' separators, is taken.</summary>
    public bool Matches(string relativePath) => !LeavesOutByName(relativePath) && PatternsTake(relativePath);

    /// <summary>Whether the Include/Exclude patterns alone take a path; ask <see cref="LeavesOutByName"/> first.</summary>
    public bool PatternsTake(string relativePath) => matcher is null || matcher.Match(relativePath).HasMatches;

    /// <summary>Whether a path is left out for its name (hidden or temporary) before any Include/Exclude pattern is asked.</summary>
    public bool LeavesOutByName(string relativePath) =>
        (ignoreHidden && IsHiddenPath(relativePath))
        || (ignoreTemporary && IsTemporaryName(relativePath.AsSpan(relativePath.LastIndexOf('/') + 1)));

    /// <summary>
    /// Whether nothing at this path (relative to the source root, '/' separators) is ever taken, whatever it is: a
    /// hidden file, or anything in a hidden folder, while the source leaves hidden names out. A file-system event
    /// there is no reason for a run (git, Finder and desktop trash write there often).
    /// </summary>
    public bool LeavesOutWhollyByName(string relativePath) => ignoreHidden && IsHiddenPath(relativePath);

    /// <summary>
    /// Whether nothing at this path is taken, whether it is a file or a folder, because an Exclude pattern matches it or
    /// a folder above it (a folder an Exclude pattern matches is left out whole). A file-system event there is no reason
    /// for a run: a log written beside the documents, and excluded for it, would otherwise start one every few seconds.
    /// </summary>
    public bool LeavesOutWhollyByPatterns(string relativePath)
    {
        if (excluded is null)
        {
            return false;
        }

        for (var end = relativePath.IndexOf('/'); end >= 0; end = relativePath.IndexOf('/', end + 1))
        {
            if (excluded.Match(relativePath[..end]).HasMatches)
            {
                return true;
            }
        }

        return excluded.Match(relativePath).HasMatches;
    }

    /// <summary>Whether a walk goes into a folder of this name: not into a hidden one (.git, .Trash) unless the source takes them.</summary>
    public bool Enters(string folderName) => !(ignoreHidden && IsHidden(folderName));

    /// <summary>A name the system or a tool keeps for itself (.DS_Store, ._report.pdf, .git): it starts with '.'.</summary>
    public static bool IsHidden(ReadOnlySpan<char> name) => name.StartsWith('.');

    private static bool IsHiddenPath(string relativePath) =>
        IsHidden(relativePath) || relativePath.Contains("/.", StringComparison.Ordinal);

    /// <summary>
    /// Names of files still being written by common tools (<see cref="SourceOptions.TemporaryNamePatterns"/>): a browser's
    /// download (Firefox's <c>.part</c>, Chrome's and Edge's <c>.crdownload</c>) or WinSCP's upload (<c>.filepart</c>) is
    /// renamed to its own name only once complete, and may pause longer than any settle window before then.
    /// </summary>
    public static bool IsTemporaryName(ReadOnlySpan<char> name) =>
        name.EndsWith(".tmp", StringComparison.Ordinal)
        || name.EndsWith(".partial", StringComparison.Ordinal)
        || name.EndsWith(".part", StringComparison.Ordinal)
        || name.EndsWith(".filepart", StringComparison.Ordinal)
        || name.EndsWith(".crdownload", StringComparison.Ordinal)
        || name.StartsWith("~$", StringComparison.Ordinal)
        || (name.StartsWith(".~lock.", StringComparison.Ordinal) && name.EndsWith("#", StringComparison.Ordinal));

    /// <summary>The problems of a list of patterns, each named <c>key:index</c>.</summary>
    public static IEnumerable<string> Validate(IEnumerable<string> patterns, string key) =>
        patterns.Select((pattern, i) => Problem(pattern, $"{key}:{i}")).OfType<string>();

    /// <summary>The problem of one pattern, named <paramref name="key"/>, or null.</summary>
    public static string? Problem(string pattern, string key)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return $"{key}: is empty";
        }

        // Matched as written, the space would be part of the name: "**/*.pdf " takes no report.pdf and says nothing.
        if (char.IsWhiteSpace(pattern[0]) || char.IsWhiteSpace(pattern[^1]))
        {
            var (where, blank) = char.IsWhiteSpace(pattern[0]) ? ("leading", pattern[0]) : ("trailing", pattern[^1]);
            return $"{key}: '{pattern}' has a {where} {(blank == ' ' ? "space" : "white space")}, which would be matched as part of a name; remove it";
        }

        if (Path.IsPathRooted(pattern) || pattern.Split('/', '\\').Contains(".."))
        {
            return $"{key}: '{pattern}' must be relative to the source path and stay inside it";
        }

        // Matched as written, such a pattern would take nothing and say nothing: a shell's glob it is not.
        return pattern.IndexOfAny(NotWildcards) is var at and >= 0
            ? $"{key}: '{pattern}' uses '{pattern[at]}', which is not a wildcard here: only '*' (any part of a name) and '**' (any folders) are; write one pattern per name instead"
            : null;
    }
}
