using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Core.Uploads;

/// <summary>What the upload step reads and records, one file at a time so a crash loses at most the file in flight.</summary>
internal interface IUploadStore : IDirectoryCopyStore
{
    Task<UploadWork?> GetWorkAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>
    /// The source's lowest-id batch above <paramref name="after"/> that still owes its uploads, other than <paramref name="except"/>
    /// and other than one whose lease is held (at work in some instance): the next to take a freed upload slot.
    /// </summary>
    Task<long?> NextPlannedAsync(string source, long after, IReadOnlyCollection<long> except, CancellationToken cancellationToken);

    /// <summary>Names the batch's remote directory; fenced, so a stale holder does not point the batch away from its successor's uploads.</summary>
    Task SetRemoteDirectoryAsync(long batchId, string directoryId, Leases.Lease fence, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets the directory of a batch not yet submitted, which LlamaCloud no longer has: the batch names no
    /// directory, its files uploaded there owe their upload again (<see cref="FileVersionLifecycle.Reupload"/>),
    /// and none reads as possibly sent any more, their copies having gone with the directory. Does nothing
    /// once the batch names another directory. Returns how many uploaded files were forgotten. Fenced.
    /// </summary>
    Task<int> ForgetRemoteDirectoryAsync(long batchId, string directoryId, Leases.Lease fence, CancellationToken cancellationToken);

    /// <summary>Records the intent before the request, so a rerun knows to look before uploading again.</summary>
    Task MarkUploadStartedAsync(long fileVersionId, CancellationToken cancellationToken);

    Task MarkUploadedAsync(long fileVersionId, string remoteFileId, CancellationToken cancellationToken);

    /// <summary>
    /// Records, in one statement before any of them is sent, that the batch's files with an id up to
    /// <paramref name="throughFileVersionId"/> may be uploaded from now on (they read as UploadStarted). This and the
    /// other writes that take a <see cref="Leases.Lease"/> are fenced: made only while it still carries its fencing
    /// token, else refused whole with <see cref="Leases.LeaseLostException"/> (docs/reliability.md, "Fencing").
    /// </summary>
    Task MarkUploadIntentAsync(long batchId, long throughFileVersionId, Leases.Lease fence, CancellationToken cancellationToken);

    /// <summary>Records several finished uploads in one statement (the fence's check travels with it, in the same round trip).</summary>
    Task MarkUploadedAsync(IReadOnlyList<UploadedFile> files, Leases.Lease fence, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the file out of this batch with a reason, ending it in one of <see cref="FileVersionLifecycle.NotUploaded"/>'s
    /// states; a failure carries its class and counts as an attempt (so the retry rule bounds it). A skip (the file
    /// changed or vanished) also voids its path's stored look, so the next scan hashes the path again even if the file
    /// is back with the size and mtime it was scanned with, and its version is found again (docs/sources.md).
    /// </summary>
    Task MarkNotUploadedAsync(long fileVersionId, FileVersionState outcome, Retries.FailureClass? errorClass, string reason, Leases.Lease fence, CancellationToken cancellationToken);

    /// <summary>Versions whose remote copy is in the mirror directory but whose file was deleted or replaced locally.</summary>
    Task<IReadOnlyList<MirrorRemoval>> GetMirrorRemovalsAsync(long batchId, string directoryId, CancellationToken cancellationToken);

    Task MarkRemoteDeletedAsync(long fileVersionId, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a Planned batch to Creating when it has uploaded files, or ends it when none could be; a batch
    /// an operator asked to cancel stays Planned. Returns the state it is in afterwards.
    /// </summary>
    Task<BatchState> FinishUploadsAsync(long batchId, Leases.Lease fence, CancellationToken cancellationToken);
}

/// <summary>A batch awaiting uploads and its files.</summary>
internal sealed record UploadWork(
    long BatchId,
    string Source,
    BatchState State,
    string DirectoryName,
    string? RemoteDirectoryId,
    IReadOnlyList<UploadItem> Files,
    bool CancelRequested = false)
{
    /// <summary>The batch's remote layout; PerRun for batches planned before layouts existed.</summary>
    public Sources.RemoteLayout Layout { get; init; }

    /// <summary>The project the batch was planned for: its directory and uploads live there.</summary>
    public LlamaCloud.ProjectScope Scope { get; init; }
}

/// <summary>An upload that took effect: the directory file (<c>dfl-…</c>) and, when the answer names it, the stored file behind it (<c>file_id</c>).</summary>
internal readonly record struct UploadedFile(long FileVersionId, string RemoteFileId, string? StoredFileId = null);

/// <summary>A remote copy a mirror must delete.</summary>
internal sealed record MirrorRemoval(long FileVersionId, string RemoteFileId, string? StoredFileId = null);

/// <summary>One file version of the batch; <paramref name="ProcessAttempts"/> counts the batches that ended with an outcome for it.</summary>
internal sealed record UploadItem(
    long FileVersionId,
    string RelativePath,
    long Size,
    long MtimeTicks,
    string UniqueId,
    FileVersionState State,
    bool UploadStarted,
    string? RemoteFileId,
    int ProcessAttempts);
