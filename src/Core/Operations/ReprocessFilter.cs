using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Operations;

/// <summary>
/// Which files processed under an older configuration an operator asks to send again: those whose path
/// matches <see cref="PathGlob"/> (relative to the source, as in <c>Include</c>; null = all) and whose
/// batch ended before <see cref="ProcessedBefore"/> (null = whenever).
/// </summary>
internal sealed record ReprocessFilter(string? PathGlob = null, DateTimeOffset? ProcessedBefore = null)
{
    public static ReprocessFilter All { get; } = new();

    /// <summary>From what an operator typed: a glob, and a date (<c>2026-05-01</c>, UTC) or a date and time with its offset.</summary>
    public static ReprocessFilter Parse(string? glob, string? before)
    {
        DateTimeOffset? processedBefore = null;
        if (!string.IsNullOrWhiteSpace(before))
        {
            processedBefore = DateTimeOffset.TryParse(
                before.Trim(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : throw new ArgumentException($"--before: '{before}' is not a date (2026-05-01, or 2026-05-01T18:00:00+02:00)");
        }

        var filter = new ReprocessFilter(string.IsNullOrWhiteSpace(glob) ? null : glob.Trim(), processedBefore);
        return filter.Problem() is { } problem ? throw new ArgumentException(problem) : filter;
    }

    /// <summary>A problem with the glob an operator typed, or null.</summary>
    public string? Problem() => PathGlob is null ? null : GlobFilter.Problem(PathGlob, "--filter");

    internal Func<ReprocessCandidate, bool> Predicate()
    {
        var glob = PathGlob is null ? null : new GlobFilter([PathGlob], [], ignoreTemporary: false);
        return c => (glob is null || glob.Matches(c.RelativePath)) && (ProcessedBefore is not { } before || c.ProcessedAt < before);
    }

    public override string ToString() =>
        string.Join(", ", new[] { PathGlob is null ? null : $"paths matching {PathGlob}", ProcessedBefore is { } b ? $"processed before {b.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : null }.OfType<string>()) is { Length: > 0 } text
            ? text
            : "all of them";
}
