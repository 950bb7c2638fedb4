using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Core.Operations;

/// <summary>What operator commands read and write.</summary>
internal interface IOperatorStore
{
    /// <summary>Flags a batch a cancel still changes (<see cref="Lifecycle.BatchLifecycle.Cancellable"/>) as cancel-requested; null if it does not exist, or LlamaCloud is done with it.</summary>
    Task<CancelTarget?> RequestBatchCancelAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>Takes back a batch's cancel request: LlamaCloud had finished it before the cancel reached it.</summary>
    Task WithdrawBatchCancelAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the batch's job references the watchdog found stuck, and still awaited, as cancelled by an operator (v1
    /// classifications aside); returns them, none when there are none, or null when no such batch exists.
    /// </summary>
    Task<StuckJobs?> RequestStuckJobCancelsAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>
    /// Records an operator's cancel on a run still scanning, so that each batch its planning makes is born
    /// cancel-requested; true when the run is still scanning (its planning has not ended), false otherwise.
    /// </summary>
    Task<bool> RequestRunCancelAsync(long runId, CancellationToken cancellationToken);

    /// <summary>The batches of a run that have not ended yet.</summary>
    Task<IReadOnlyList<long>> OpenBatchesOfRunAsync(long runId, CancellationToken cancellationToken);

    /// <summary>
    /// Approves the versions a run's planning held under a cap: they go back to the queue marked to pass the
    /// caps at their next planning. Returns how many, per source.
    /// </summary>
    Task<IReadOnlyDictionary<string, int>> ApproveHeldAsync(long runId, CancellationToken cancellationToken);

    /// <summary>The source a run was of; null when there is no such run.</summary>
    Task<string?> SourceOfRunAsync(long runId, CancellationToken cancellationToken);

    /// <summary>
    /// Puts a source's failed file versions back in the queue whatever their attempts: all but those a person must clear
    /// first, and of those what <paramref name="forced"/> names; only those of files in the folder now (the latest
    /// version of a path still there, or a copy's). Returns how many, and how many old failures it left out. The unconfirmed
    /// batch <paramref name="forced"/> names no longer waits to be looked for, whether or not it had a file to send.
    /// </summary>
    Task<RequeueOutcome> RequeueFailedAsync(string source, Retries.ForcedRetry forced, CancellationToken cancellationToken);

    /// <summary>
    /// How many of a source's file versions wait in the queue after a batch gave them no outcome that stays (it failed
    /// as a whole, was lost or given up, or their failure is retried): the next run takes them, none is needed to. For a
    /// RemoteOnly source, the files of its latest batch when that batch did not complete: its next run sends them again.
    /// </summary>
    Task<int> CountSentBackAsync(string source, CancellationToken cancellationToken);

    /// <summary>Records that a retry queued a run of the source now, before it is queued.</summary>
    Task MarkRetryRunQueuedAsync(string source, CancellationToken cancellationToken);

    /// <summary>Takes back the mark of a retry whose run could not be queued.</summary>
    Task ClearRetryRunQueuedAsync(string source, CancellationToken cancellationToken);

    /// <summary>
    /// Whether a run a retry queued less than <paramref name="within"/> ago has not started yet: no run of the source
    /// started since it was queued. An older mark counts for nothing: its run was skipped or lost.
    /// </summary>
    Task<bool> RetryRunWaitingAsync(string source, TimeSpan within, CancellationToken cancellationToken);
}

/// <summary>A batch an operator asked to cancel, as it stood; <paramref name="JobType"/> says which API runs it.</summary>
internal sealed record CancelTarget(
    long BatchId, BatchState State, string? RemoteBatchId, string JobType = "parse_v2", LlamaCloud.ProjectScope Scope = default);

/// <summary>What a requeue of failed files did: how many it queued again, how many failures of old versions (files
/// deleted, renamed or changed since) it left out, and whether it cleared the unconfirmed batch it was given.</summary>
internal sealed record RequeueOutcome(int Requeued, int LeftOut, bool LookedFor = false);
