using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Batches;

/// <summary>Batch rows and what hangs off them. Poll-cycle operations are set-based: their cost does not grow with the batch count.</summary>
internal interface IBatchStore
{
    Task<BatchRecord?> GetAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>Which remote batches of the batch's directory a resubmission may adopt (a shared directory also holds batches that are not this row's).</summary>
    Task<AdoptionWindow> GetAdoptionWindowAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>Remembers the directory's remote batches before the first POST (once; later calls change nothing).</summary>
    Task RecordPreexistingBatchesAsync(long batchId, IReadOnlyList<string> remoteBatchIds, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a batch that never reached LlamaCloud (no remote batch yet) because an operator cancelled it:
    /// its files are Skipped and its run may close. False if it was already submitted or ended.
    /// </summary>
    Task<bool> FinishCancelledAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a batch LlamaCloud refused to create: the batch with <paramref name="reason"/>, its files Failed
    /// with the reason and <paramref name="fileErrorClass"/>, and its run closed when this was its last open batch.
    /// </summary>
    Task FinishRefusedAsync(long batchId, string reason, Retries.FailureClass fileErrorClass, CancellationToken cancellationToken);

    /// <summary>Records the remote batch (created or adopted) and moves its files to Submitted.</summary>
    Task RecordSubmittedAsync(long batchId, string remoteBatchId, BatchState state, DateTimeOffset nextPollAt, CancellationToken cancellationToken);

    /// <summary>Claims remotely active batches whose next poll is due, pushing their next poll out by <paramref name="claimFor"/>.</summary>
    Task<IReadOnlyList<DueBatch>> ClaimDueAsync(int max, TimeSpan claimFor, CancellationToken cancellationToken);

    /// <summary>Writes every poll outcome of a tick in one statement.</summary>
    Task SavePollOutcomesAsync(IReadOnlyList<PollOutcome> outcomes, CancellationToken cancellationToken);

    /// <summary>Claims batches whose local step stopped making progress, so it can be handed to that step again.</summary>
    Task<IReadOnlyList<StalledBatch>> ClaimStalledAsync(TimeSpan olderThan, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Records a terminal batch's per-file results in one transaction (bulk, idempotent): each file's
    /// outcome, error class and attempt; the files the batch said nothing about by the batch's end;
    /// the follow-up's first look; and closes the run when this was its last open batch.
    /// </summary>
    Task<RecordSummary> RecordResultsAsync(long batchId, BatchState remoteState, IReadOnlyList<FileResult> results, RecordPolicy policy, CancellationToken cancellationToken);

    /// <summary>The remote file ids (<c>dfl-…</c>) of the batch's uploaded files.</summary>
    Task<IReadOnlyList<string>> GetRemoteFileIdsAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>Makes an open remote batch due for polling now (a webhook said it moved); false if no open batch has that id.</summary>
    Task<bool> MakeDueNowAsync(string remoteBatchId, CancellationToken cancellationToken);
}

/// <summary>A batch row.</summary>
internal sealed record BatchRecord(
    long Id,
    long RunId,
    string Source,
    BatchState State,
    string JobType,
    string ConfigurationId,
    string DirectoryName,
    string? RemoteDirectoryId,
    string? RemoteBatchId,
    int PollCount,
    bool CancelRequested = false,
    DateTimeOffset CreatedAt = default,
    ProjectScope Scope = default);

/// <summary>A batch to poll now, in the project it was created in.</summary>
internal sealed record DueBatch(long Id, string RemoteBatchId, BatchState State, int PollCount, string JobType = "parse_v2", ProjectScope Scope = default);

/// <summary>What one poll found, and when to look next.</summary>
internal sealed record PollOutcome(long BatchId, BatchState State, DateTimeOffset NextPollAt, string? Error);

/// <summary>A batch whose step must be handed out again.</summary>
internal sealed record StalledBatch(long Id, string Source, BatchState State);

/// <summary>
/// Counts written by one recording: outcomes of the files the batch reported on, files it said
/// nothing about, and job references waiting for their follow-up.
/// </summary>
internal sealed record RecordSummary(int Succeeded, int Failed, int Unmapped, bool AlreadyRecorded, int Skipped = 0, int FollowUps = 0);

/// <summary>
/// How a recording treats files: <paramref name="MaxAttempts"/> is the source's limit (a file of a
/// batch that failed as a whole returns to the queue only below it); <paramref name="FollowUpAt"/>,
/// when set, is when the follow-up first looks at the job references (null: follow-up is off).
/// </summary>
internal sealed record RecordPolicy(int MaxAttempts, DateTimeOffset? FollowUpAt)
{
    public RetryRule Retry => new(MaxAttempts);
}

/// <summary>
/// The remote batches a resubmission may adopt as its own lost attempt: never one recorded by any of our
/// rows, and never one the directory had before our first POST (<see cref="Preexisting"/>). A PerRun
/// directory is ours alone, so a row submitted before the snapshot existed may adopt any other.
/// </summary>
internal sealed record AdoptionWindow(RemoteLayout Layout, IReadOnlySet<string>? Preexisting, IReadOnlySet<string> KnownRemoteBatchIds)
{
    public bool MayAdopt(string remoteBatchId) =>
        !KnownRemoteBatchIds.Contains(remoteBatchId)
        && (Preexisting is null ? Layout == RemoteLayout.PerRun : !Preexisting.Contains(remoteBatchId));
}
