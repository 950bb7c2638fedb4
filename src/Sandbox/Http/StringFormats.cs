using System.Globalization;

namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// Formats the SDK's doc comments state for fields it types as a plain <c>string</c> (TS SDK 2.16.0). Each check
/// returns pydantic's message for a <c>value_error</c>, or null when the value keeps to the comment; each refuses
/// only what its comment says is wrong, and names the points where the comment is vague and this is a guess
/// (src/Sandbox/README.md "What the Sandbox had to guess").
/// </summary>
internal static class StringFormats
{
    /// <summary>
    /// A page selection, <c>target_pages</c>: "Comma-separated list of specific pages to process using 1-based indexing.
    /// Supports individual pages and ranges. Examples: '1,3,5' …, '1-5' (pages 1 through 5 inclusive)" (parse's
    /// <c>page_ranges</c>), or "Comma-separated page numbers or ranges to process (1-based)" (extract, classify). Each
    /// item is a page (1 or more) or a range <c>a-b</c>. Guesses: spaces around an item are ignored, as a split on
    /// commas that trims would; a range whose end is before its start names no page "through" the other and is refused.
    /// Parse's comment says both "Pages are sorted and deduplicated automatically" and "Duplicate pages cause an error":
    /// <paramref name="duplicatesRefused"/> picks one (<see cref="SandboxGuesses.RefuseDuplicateTargetPages"/>).
    /// </summary>
    public static string? PageSelection(string text, bool duplicatesRefused)
    {
        var ranges = new List<(long First, long Last)>();
        foreach (var item in text.Split(',').Select(i => i.Trim()))
        {
            var bounds = item.Split('-');
            if (bounds.Length > 2 || bounds.Any(b => Page(b) is null))
            {
                return $"target_pages must be comma-separated 1-based page numbers or ranges such as '1,3,5-8', not '{item}'";
            }

            var (first, last) = (Page(bounds[0])!.Value, Page(bounds[^1])!.Value);
            if (last < first)
            {
                return $"target_pages range '{item}' ends before it starts";
            }

            ranges.Add((first, last));
        }

        var ordered = ranges.OrderBy(r => r.First).ToList();
        for (var i = 1; i < ordered.Count && duplicatesRefused; i++)
        {
            if (ordered[i].First <= ordered[i - 1].Last)
            {
                return $"target_pages names page {ordered[i].First} more than once";
            }
        }

        return null;
    }

    /// <summary>
    /// An extract <c>version</c>: "Use 'latest' for the latest release for the selected tier or a date string
    /// (YYYY-MM-DD format)" (<c>resources/extract.d.ts</c>, <c>resources/configurations.d.ts</c>
    /// <c>ExtractV2Parameters</c>); a date that is no day of the calendar is refused, as a date parser would.
    /// </summary>
    public static string? ExtractVersion(string text) =>
        text == "latest" || DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? null
            : "version must be 'latest' or a date in YYYY-MM-DD format";

    /// <summary>
    /// An auto-mode rule's <c>trigger_mode</c>: "How to combine multiple trigger conditions: 'and' … or 'or'"
    /// (<c>resources/parsing.d.ts</c>, <c>AutoModeConfiguration</c>); exactly those two words, as written.
    /// </summary>
    public static string? TriggerMode(string text) =>
        text is "and" or "or" ? null : "trigger_mode must be 'and' or 'or'";

    // Digits only ("1-based": no sign, no zero); a number past 64 bits is no page either.
    private static long? Page(string s) =>
        s.Length > 0 && s.All(char.IsAsciiDigit) && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page >= 1
            ? page
            : null;
}
