using BatchOrchestrator.Core.Validation;
using Microsoft.Extensions.Configuration;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// The configuration as this process started with it, against what it says now. Settings are read once, at start, and
/// an edit of <c>appsettings.json</c> is applied by a restart (docs/configuration.md, "Editing the configuration of a
/// running service"). Until then this process does not run a source whose <c>Name</c> is gone from the configuration,
/// or whose processing settings (job type, configuration id, v1_parse tier) changed: such a run would send files under
/// settings no longer configured, billed now and again once they are reprocessed under the new ones (the
/// <c>reprocess</c> verb, reading the new ones, queues them for this process to send), and a source renamed would scan
/// a record that <c>rename-source</c> may have moved away, sending every file again.
/// </summary>
internal sealed class ConfigurationEdits
{
    private const string SourcesSection = "Sources";

    private readonly IConfiguration configuration;
    private readonly Dictionary<string, string> atStart;
    private readonly SourcesOptions sourcesAtStart;

    public ConfigurationEdits(IConfiguration configuration)
    {
        this.configuration = configuration;
        atStart = Snapshot(configuration);
        sourcesAtStart = configuration.GetConvertible<SourcesOptions>();
    }

    /// <summary>Why a run of <paramref name="source"/> must wait for a restart, or null when it may run.</summary>
    public string? WhyNotRun(string source)
    {
        // A source this process was given otherwise than by its configuration (a test's options) is not ours to judge.
        if (sourcesAtStart.Find(source) is not { } before)
        {
            return null;
        }

        if (configuration.GetConvertible<SourcesOptions>().Find(source) is not { } now)
        {
            return $"the configuration has no source named '{source}' any more (removed; renamed, when 'rename-source {source} <new name>' moves its record while every instance is stopped; or its file no longer reads)";
        }

        var (was, becomes) = (ConfigurationFingerprint.Of(before), ConfigurationFingerprint.Of(now));
        return was == becomes ? null : $"its processing settings were changed from '{was}' to '{becomes}'";
    }

    /// <summary>What differs between the configuration now and at start: sources by Name, every other section by its name. Values are never said (some are secrets).</summary>
    public ConfigurationChanges Changes()
    {
        var now = Snapshot(configuration);
        var (before, after) = (SourcesByName(atStart), SourcesByName(now));
        var sections = atStart.Keys.Union(now.Keys)
            .Where(k => atStart.GetValueOrDefault(k) != now.GetValueOrDefault(k))
            .Select(k => k.Split(ConfigurationPath.KeyDelimiter)[0])
            .Where(s => !string.Equals(s, SourcesSection, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new ConfigurationChanges(
            [.. after.Keys.Except(before.Keys).Order(StringComparer.Ordinal)],
            [.. before.Keys.Except(after.Keys).Order(StringComparer.Ordinal)],
            [.. before.Keys.Intersect(after.Keys).Where(n => before[n] != after[n]).Order(StringComparer.Ordinal)],
            sections);
    }

    private static Dictionary<string, string> Snapshot(IConfiguration configuration) =>
        configuration.AsEnumerable().Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!, StringComparer.OrdinalIgnoreCase);

    // Each entry of Sources as one text of its keys and values, by its Name: an entry that only moved in the list is unchanged.
    private static Dictionary<string, string> SourcesByName(Dictionary<string, string> settings)
    {
        var prefix = SourcesSection + ConfigurationPath.KeyDelimiter;
        var entries = settings
            .Where(kv => kv.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && kv.Key.IndexOf(ConfigurationPath.KeyDelimiter, prefix.Length, StringComparison.Ordinal) > 0)
            .GroupBy(kv => kv.Key[prefix.Length..kv.Key.IndexOf(ConfigurationPath.KeyDelimiter, prefix.Length, StringComparison.Ordinal)]);
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var keyOf = prefix + entry.Key + ConfigurationPath.KeyDelimiter;
            var name = settings.GetValueOrDefault(keyOf + "Name") ?? $"#{entry.Key}";
            byName[name] = string.Join('\n', entry.Select(kv => $"{kv.Key[keyOf.Length..].ToUpperInvariant()}={kv.Value}").Order(StringComparer.Ordinal));
        }

        return byName;
    }
}
