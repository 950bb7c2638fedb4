namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// One writer per result path at a time, in this process and on every instance sharing the database. A follow-up asks
/// whether a newer result reached a path, writes, and saves what it wrote: two follow-ups of two versions of one path
/// interleaving those steps could leave the older result over the newer one (docs/pipeline.md, "Follow-up sinks").
/// Names that differ only in case share a lock: on an output share that folds case they are one file.
/// </summary>
internal interface IResultPathLocks
{
    /// <summary>Waits until every one of the source's <paramref name="relativePaths"/> is this caller's alone, until disposed.</summary>
    Task<IAsyncDisposable> HoldAsync(string source, IReadOnlyCollection<string> relativePaths, CancellationToken cancellationToken);
}
