namespace BatchOrchestrator.Core.Sources;

/// <summary>Makes source paths absolute (relative to the content root) and creates the ones marked to be created.</summary>
internal static class SourcePaths
{
    public static void Resolve(SourcesOptions options, string contentRoot, ServedQueues served)
    {
        foreach (var source in options.Sources.Where(s => !string.IsNullOrWhiteSpace(s.Path)))
        {
            source.Path = Path.GetFullPath(source.Path, contentRoot);
            if (source.CreateIfMissing && served.Touches(source))
            {
                Directory.CreateDirectory(source.Path);
            }
        }
    }
}
