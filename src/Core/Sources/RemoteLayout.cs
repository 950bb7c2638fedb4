namespace BatchOrchestrator.Core.Sources;

/// <summary>How a source's files are laid out remotely ("Sources:N:Layout"; docs/architecture.md decision 2).</summary>
public enum RemoteLayout
{
    /// <summary>Each run uploads only new and changed files into a directory of its own and batches that.</summary>
    PerRun,

    /// <summary>
    /// One long-lived remote directory kept equal to the folder (deletions and replacements propagated);
    /// each run batches all of it. A batch covers at most 1,000 files, so neither may the folder.
    /// </summary>
    Mirror,

    /// <summary>No local folder: an existing remote directory (<c>RemoteDirectoryId</c>) is batched on schedule.</summary>
    RemoteOnly,
}
