namespace BatchOrchestrator.Core.Sources;

/// <summary>The configured sources (the "Sources" array) and the limits shared by all of them.</summary>
public sealed class SourcesOptions
{
    /// <summary>The sources, in configuration order.</summary>
    public List<SourceOptions> Sources { get; set; } = [];

    /// <summary>
    /// What brings a source taken out of Sources back, for the verbs, pages and warnings that refuse or leave its files until
    /// then: its record stays under its old Name (docs/operations.md, "A source removed while its batches are under way").
    /// </summary>
    internal const string RemovedSourceRemedy = "back in Sources (or move its record to its new Name with rename-source)";

    /// <summary>Finds a source by name (names are validated unique).</summary>
    internal SourceOptions? Find(string name) => Sources.FirstOrDefault(s => s.Name == name);

    /// <summary>The source an operator named, or the one usage error every verb and action gives for a name no source has.</summary>
    internal SourceOptions Require(string name) => Find(name) ?? throw new ArgumentException(NoSuchSource(name, Sources.Select(s => s.Name)));

    /// <summary>The words of that usage error, for a check made before the options are bound.</summary>
    internal static string NoSuchSource(string name, IEnumerable<string?> configured)
    {
        var names = configured.ToList();
        if (names.Count == 0)
        {
            return $"No source is named '{name}'. Configured sources: none";
        }

        // Names are matched exactly (they name queues, folders of output, metric labels): say so when only the case differs.
        var meant = names.Find(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        return $"No source is named '{name}'. Configured sources: {string.Join(", ", names)}{(meant is null ? "" : $" (names are case-sensitive: did you mean '{meant}'?)")}";
    }
}
