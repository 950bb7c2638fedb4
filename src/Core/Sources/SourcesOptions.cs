namespace BatchOrchestrator.Core.Sources;

/// <summary>The configured sources (the "Sources" array) and the limits shared by all of them.</summary>
public sealed class SourcesOptions
{
    /// <summary>The sources, in configuration order.</summary>
    public List<SourceOptions> Sources { get; set; } = [];

    /// <summary>Finds a source by name (names are validated unique).</summary>
    internal SourceOptions? Find(string name) => Sources.FirstOrDefault(s => s.Name == name);

    /// <summary>The source an operator named, or the one usage error every verb and action gives for a name no source has.</summary>
    internal SourceOptions Require(string name) => Find(name) ?? throw new ArgumentException(NoSuchSource(name, Sources.Select(s => s.Name)));

    /// <summary>The words of that usage error, for a check made before the options are bound.</summary>
    internal static string NoSuchSource(string name, IEnumerable<string?> configured) =>
        configured.ToList() is { Count: > 0 } names
            ? $"No source is named '{name}'. Configured sources: {string.Join(", ", names)}"
            : $"No source is named '{name}'. Configured sources: none";
}
