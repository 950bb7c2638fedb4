namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>
/// <c>GET /api/v2/parse/versions</c> exactly as TS SDK 2.16.0 types it (<c>resources/parsing.d.ts</c>,
/// <c>ParsingListVersionsResponse</c>): each tier's dated versions (the SDK's own literal lists, newest
/// first) and what <c>latest</c> resolves to per tier (the doc comment on <c>ParsingCreateParams.version</c>).
/// </summary>
internal static class ParseVersions
{
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ByTier = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["fast"] =
        [
            "2026-06-15", "2025-12-11"
        ],
        ["cost_effective"] =
        [
            "2026-08-19", "2026-08-11", "2026-08-08", "2026-07-23", "2026-06-26", "2026-06-18", "2026-06-17",
            "2026-06-11", "2026-06-08", "2026-06-05", "2026-05-28", "2026-04-09", "2026-03-31", "2026-03-27",
            "2026-03-25"
        ],
        ["agentic"] =
        [
            "2026-09-07", "2026-08-19", "2026-07-24", "2026-07-23", "2026-07-15", "2026-06-18", "2026-06-11",
            "2026-06-04", "2026-06-01", "2026-05-26", "2026-05-21", "2026-05-20", "2026-05-19", "2026-05-13",
            "2026-05-11", "2026-05-06", "2026-05-04", "2026-04-27", "2026-04-22", "2026-04-09", "2026-04-06",
            "2026-04-02", "2026-03-31", "2026-03-30", "2026-03-27", "2026-03-25", "2026-03-23", "2026-03-22",
            "2026-03-20", "2026-03-11", "2026-03-10", "2026-03-09", "2026-03-03", "2026-03-02", "2026-02-26",
            "2026-02-24", "2026-01-30", "2026-01-22", "2026-01-21", "2026-01-16", "2026-01-08", "2025-12-31",
            "2025-12-18", "2025-12-11"
        ],
        ["agentic_plus"] =
        [
            "2026-08-19", "2026-07-08", "2026-06-18", "2026-06-11", "2026-06-04", "2026-06-01", "2026-05-26",
            "2026-05-21", "2026-05-20", "2026-05-19", "2026-05-11", "2026-05-06", "2026-05-04", "2026-05-01",
            "2026-04-27", "2026-04-19", "2026-04-14", "2026-04-09", "2026-04-02", "2026-03-31", "2026-03-26",
            "2026-03-25", "2026-03-22", "2026-03-20", "2026-03-17", "2026-03-12", "2026-03-10", "2026-03-09",
            "2026-03-02", "2026-02-26", "2026-02-24", "2026-01-30", "2026-01-29", "2026-01-24", "2026-01-22",
            "2026-01-21", "2026-01-16", "2025-12-31", "2025-12-18", "2025-12-11"
        ],
    };

    /// <summary>
    /// Whether <paramref name="version"/> may be sent with <paramref name="tier"/>: "Use `latest`, or pin one of that
    /// tier's dated versions … Full list: `GET /api/v2/parse/versions`" (the doc comment on <c>version</c> in
    /// <c>ParsingCreateParams</c>, <c>ParseV2Parameters</c> and an auto-mode rule's <c>ParsingConf</c>). The types end in
    /// <c>(string &amp; {})</c> so that a newer date still compiles; the comment, not the type, names what is sent.
    /// Returns the message of the <c>value_error</c>, or null.
    /// </summary>
    public static string? Problem(string version, string tier) =>
        version == "latest" || (ByTier.TryGetValue(tier, out var dated) && dated.Contains(version, StringComparer.Ordinal))
            ? null
            : $"version must be 'latest' or one of the {tier} tier's dated versions (GET /api/v2/parse/versions), not '{version}'";

    public static readonly IReadOnlyDictionary<string, string> Latest = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["fast"] = "2026-06-15",
        ["cost_effective"] = "2026-08-19",
        ["agentic"] = "2026-09-07",
        ["agentic_plus"] = "2026-08-19",
    };
}

/// <summary>The versions answer: the four lists and <c>latest</c>, every field required.</summary>
internal sealed record ParseVersionsDto(
    IReadOnlyList<string> Fast,
    IReadOnlyList<string> CostEffective,
    IReadOnlyList<string> Agentic,
    IReadOnlyList<string> AgenticPlus,
    IReadOnlyDictionary<string, string> Latest);
