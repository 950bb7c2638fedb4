using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Batches;

/// <summary>Batch rows and what hangs off them. Poll-cycle operations are set-based: their cost does not grow with the batch count.</summary>
internal interface IBatchStore
{
    Task<BatchRecord?> GetAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>Which remote batches of the batch's directory a resubmission may adopt (issue 4: shared directories).</summary>
    Task<AdoptionWindow> GetAdoptionWindowAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>Remembers the directory's remote batches before the first POST (once; later calls change nothing).</summary>
    Task RecordPreexistingBatchesAsync(long batchId, IReadOnlyList<string> remoteBatchIds, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a batch that never reached LlamaCloud (no remote batch yet) because an operator cancelled it:
    /// its files are Skipped and its run may close. False if it was already submitted or ended.
    /// </summary>
    Task<bool> FinishCancelledAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>Records the remote batch (created or adopted) and moves its files to Submitted.</summary>
    Task RecordSubmittedAsync(long batchId, string remoteBatchId, BatchState state, DateTimeOffset nextPollAt, CancellationToken cancellationToken);

    /// <summary>Claims remotely active batches whose next poll is due, pushing their next poll out by <paramref name="claimFor"/>.</summary>
    Task<IReadOnlyList<DueBatch>> ClaimDueAsync(int max, TimeSpan claimFor, CancellationToken cancellationToken);

    /// <summary>Writes every poll outcome of a tick in one statement.</summary>
    Task SavePollOutcomesAsync(IReadOnlyList<PollOutcome> outcomes, CancellationToken cancellationToken);

    /// <summary>Claims batches whose local step stopped making progress, so it can be handed to that step again.</summary>
    Task<IReadOnlyList<StalledBatch>> ClaimStalledAsync(TimeSpan olderThan, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Records a terminal batch's per-file results in one transaction (bulk, idempotent) and closes
    /// the run when this was its last open batch.
    /// </summary>
    Task<RecordSummary> RecordResultsAsync(long batchId, BatchState remoteState, IReadOnlyList<RemoteBatchResult> results, CancellationToken cancellationToken);
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
    bool CancelRequested = false);

/// <summary>A batch to poll now.</summary>
internal sealed record DueBatch(long Id, string RemoteBatchId, BatchState State, int PollCount);

/// <summary>What one poll found, and when to look next.</summary>
internal sealed record PollOutcome(long BatchId, BatchState State, DateTimeOffset NextPollAt, string? Error);

/// <summary>A batch whose step must be handed out again.</summary>
internal sealed record StalledBatch(long Id, BatchState State);

/// <summary>Counts written by one recording.</summary>
internal sealed record RecordSummary(int Succeeded, int Failed, int Unmapped, bool AlreadyRecorded);

/// <summary>
/// The remote batches a resubmission may adopt as its own lost attempt: never one recorded by any of our
/// rows, and never one the directory had before our first POST (<see cref="Preexisting"/>). A PerRun
/// directory is ours alone, so a row submitted before the snapshot existed may adopt any other.
/// </summary>
internal sealed record AdoptionWindow(RemoteLayout Layout, IReadOnlySet<string>? Preexisting, IReadOnlySet<string> KnownRemoteBatchIds)
{
    public bool MayAdopt(RemoteBatch batch) =>
        !KnownRemoteBatchIds.Contains(batch.Id)
        && (Preexisting is null ? Layout == RemoteLayout.PerRun : !Preexisting.Contains(batch.Id));
}
