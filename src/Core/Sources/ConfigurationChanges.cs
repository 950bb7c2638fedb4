namespace BatchOrchestrator.Core.Sources;

/// <summary>What an edit changed since the process started (<see cref="ConfigurationEdits"/>): sources by Name, and the other sections changed.</summary>
internal sealed record ConfigurationChanges(
    IReadOnlyList<string> SourcesAdded, IReadOnlyList<string> SourcesRemoved, IReadOnlyList<string> SourcesChanged, IReadOnlyList<string> Sections)
{
    public bool None => SourcesAdded.Count + SourcesRemoved.Count + SourcesChanged.Count + Sections.Count == 0;

    /// <summary>As one line: <c>sources added: b; removed: a; changed: c; other sections: Costs, Pipeline</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        Add("sources added", SourcesAdded);
        Add("sources removed", SourcesRemoved);
        Add("sources changed", SourcesChanged);
        Add("other sections changed", Sections);
        return string.Join("; ", parts);

        void Add(string what, IReadOnlyList<string> names)
        {
            if (names.Count > 0)
            {
                parts.Add($"{what}: {string.Join(", ", names)}");
            }
        }
    }

    public bool Same(ConfigurationChanges other) =>
        SourcesAdded.SequenceEqual(other.SourcesAdded) && SourcesRemoved.SequenceEqual(other.SourcesRemoved)
        && SourcesChanged.SequenceEqual(other.SourcesChanged) && Sections.SequenceEqual(other.Sections);
}
