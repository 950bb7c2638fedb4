namespace BatchOrchestrator.Core.Sources;

/// <summary>Makes source paths absolute (relative to the content root) and creates the ones marked to be created.</summary>
internal static class SourcePaths
{
    public static void Resolve(SourcesOptions options, string contentRoot, ServedQueues served, SourceFolderAccess folders)
    {
        foreach (var source in options.Sources.Where(s => !string.IsNullOrWhiteSpace(s.Path)))
        {
            source.Path = Path.GetFullPath(source.Path, contentRoot);
            if (source.CreateIfMissing && folders.Creates && served.Touches(source) && !File.Exists(source.Path))
            {
                try
                {
                    Directory.CreateDirectory(source.Path);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Left missing: the validator names the key (a file in the way, no permission) in one line.
                }
            }
        }
    }
}
