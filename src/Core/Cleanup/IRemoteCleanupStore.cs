using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.Cleanup;

/// <summary>The list of remote artefacts to delete, and what became of each (docs/remote-hygiene.md).</summary>
internal interface IRemoteCleanupStore
{
    /// <summary>
    /// Puts on the list, due after their source's retention, the artefacts of job references whose result
    /// every sink has (FollowedUp), and of those whose version was sent to its source's fallback (whose result
    /// no sink will ever have): the job, and in the per-run layout its directory file and stored file; then the
    /// per-run directories all of whose files are done. At most <paramref name="max"/> references
    /// per call; returns how many references and directories were listed.
    /// </summary>
    Task<int> ListAsync(IReadOnlyList<SourceRetention> retentions, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Claims artefacts due now (SKIP LOCKED, so instances share them) for <paramref name="claimFor"/>, of the sources that
    /// keep a retention now: one since set to Off, or taken out of the configuration, has its queued artefacts spared.
    /// </summary>
    Task<IReadOnlyList<RemoteArtefact>> ClaimDueAsync(IReadOnlyList<SourceRetention> retentions, int max, TimeSpan claimFor, CancellationToken cancellationToken);

    /// <summary>Lists the stored file a directory file turned out to have, due at once, before the directory file goes.</summary>
    Task AddStoredFileAsync(long directoryFileArtefactId, string storedFileId, CancellationToken cancellationToken);

    /// <summary>Records what became of claimed artefacts, in one round trip.</summary>
    Task SaveAsync(IReadOnlyList<ArtefactOutcome> outcomes, CancellationToken cancellationToken);
}

/// <summary>A source whose artefacts are deleted <paramref name="After"/> its results are stored.</summary>
internal sealed record SourceRetention(string Source, TimeSpan After);

/// <summary>An artefact to delete, in the project of its batch.</summary>
internal sealed record RemoteArtefact(
    long Id, long BatchId, RemoteArtefactKind Kind, string RemoteId, string? ParentId, int Attempts, bool LookupStoredFile, ProjectScope Scope);

/// <summary>
/// What one claim came to: <paramref name="Done"/> (deleted, or <paramref name="FoundGone"/>), or not, with
/// the <paramref name="Error"/> and when to try again; <paramref name="Attempted"/> false gives the claim
/// back untouched (the run ran out of time or budget before it).
/// </summary>
internal sealed record ArtefactOutcome(long Id, bool Done, bool FoundGone, bool Attempted, string? Error, DateTimeOffset? RetryAt);
