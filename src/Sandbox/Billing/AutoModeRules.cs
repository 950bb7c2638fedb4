using System.IO.Enumeration;
using System.Text.RegularExpressions;

namespace BatchOrchestrator.Sandbox.Billing;

/// <summary>
/// The tier a saved parse configuration's auto-mode rules bill a file's pages at (SDK <c>ProcessingOptions.AutoModeConfiguration</c>:
/// "when triggers match, the parsing_conf overrides default settings for that page"). Filename triggers are judged on the
/// file's name; the Sandbox lays out no page, so a page trigger (tables, images, words, text, …) is taken to match every
/// page: a rule bills at least what the service could bill, never less (src/Sandbox/README.md, "Billing").
/// </summary>
internal static class AutoModeRules
{
    private static readonly TimeSpan RegexBudget = TimeSpan.FromMilliseconds(100);

    private static readonly string[] FilenameTriggers = ["filename_match_glob", "filename_match_glob_list", "filename_regexp", "filename_regexp_mode"];

    /// <summary>The tiers of the rules in <paramref name="processing"/> that match a page of <paramref name="fileName"/>.</summary>
    public static IEnumerable<string> MatchingTiers(JsonElement processing, string fileName)
    {
        if (processing.ValueKind != JsonValueKind.Object || !processing.TryGetProperty("auto_mode_configuration", out var rules) || rules.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var rule in rules.EnumerateArray())
        {
            if (rule.ValueKind == JsonValueKind.Object && rule.TryGetProperty("parsing_conf", out var conf) && Text(conf, "tier") is { } tier && Matches(rule, fileName))
            {
                yield return tier;
            }
        }
    }

    private static bool Matches(JsonElement rule, string fileName)
    {
        var judged = new List<bool>();
        if (Text(rule, "filename_match_glob") is { } glob)
        {
            judged.Add(Glob(glob, fileName));
        }

        if (rule.TryGetProperty("filename_match_glob_list", out var globs) && globs.ValueKind == JsonValueKind.Array)
        {
            judged.Add(globs.EnumerateArray().Any(g => g.ValueKind == JsonValueKind.String && Glob(g.GetString()!, fileName)));
        }

        if (Text(rule, "filename_regexp") is { } pattern)
        {
            var options = Text(rule, "filename_regexp_mode")?.Contains('i', StringComparison.Ordinal) == true ? RegexOptions.IgnoreCase : RegexOptions.None;
            judged.Add(Regex.IsMatch(fileName, pattern, options | RegexOptions.CultureInvariant, RegexBudget));
        }

        // Any other trigger is about a page's content, which the Sandbox does not lay out: taken as matching.
        var pageTriggers = rule.EnumerateObject().Any(p => p.Name is not ("parsing_conf" or "trigger_mode") && !FilenameTriggers.Contains(p.Name) && p.Value.ValueKind != JsonValueKind.Null);
        if (pageTriggers)
        {
            judged.Add(true);
        }

        return judged.Count == 0 || (Text(rule, "trigger_mode") == "or" ? judged.Any(j => j) : judged.All(j => j));
    }

    /// <summary>A glob over the whole name, case-sensitive: <c>*</c> any run of characters, <c>?</c> one.</summary>
    private static bool Glob(string glob, string fileName) => FileSystemName.MatchesSimpleExpression(glob, fileName, ignoreCase: false);

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
