using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Batches;

/// <summary>Batch rows and what hangs off them. Poll-cycle operations are set-based: their cost does not grow with the batch count.</summary>
internal interface IBatchStore
{
    Task<BatchRecord?> GetAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>
    /// How many of a RemoteOnly source's batches in a row ended without completing (failed as a whole, lost), counting
    /// back from its latest: its directory is sent again whole, so these are its attempts.
    /// </summary>
    Task<int> RemoteOnlyFailuresInARowAsync(string source, CancellationToken cancellationToken);

    /// <summary>Which remote batches of the batch's directory a resubmission may adopt (a shared directory also holds batches that are not this row's).</summary>
    Task<AdoptionWindow> GetAdoptionWindowAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>
    /// Remembers the directory's remote batches before the first POST (once; later calls change nothing). This and the other
    /// writes that take a <see cref="Leases.Lease"/> are fenced: made only while it still carries its fencing token, else
    /// refused whole with <see cref="Leases.LeaseLostException"/> (docs/reliability.md, "Fencing").
    /// </summary>
    Task RecordPreexistingBatchesAsync(long batchId, IReadOnlyList<string> remoteBatchIds, Leases.Lease fence, CancellationToken cancellationToken);

    /// <summary>
    /// Remembers that a create is about to be sent, at the database's time, or, not <paramref name="sent"/>, that the last
    /// one was refused before it took effect.
    /// </summary>
    Task RecordCreateSentAsync(long batchId, bool sent, Leases.Lease fence, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a batch that never reached LlamaCloud (no remote batch yet) because an operator cancelled it:
    /// its files are Skipped and its run may close. False if it was already submitted or ended. Fenced, as the
    /// step's give-up and refund are: a holder stalled past its lease ends nothing its successor has moved on.
    /// </summary>
    Task<bool> FinishCancelledAsync(long batchId, Leases.Lease fence, CancellationToken cancellationToken);

    /// <summary>
    /// Records the remote batch (created or adopted) and moves its files to Submitted; its first poll falls due
    /// <paramref name="pollIn"/> from now by the database's clock, which every instance shares (docs/resilience.md, "Clock jumps").
    /// </summary>
    Task RecordSubmittedAsync(long batchId, string remoteBatchId, BatchState state, TimeSpan pollIn, Leases.Lease fence, CancellationToken cancellationToken);

    /// <summary>Claims remotely active batches whose next poll is due, pushing their next poll out by <paramref name="claimFor"/>.</summary>
    Task<IReadOnlyList<DueBatch>> ClaimDueAsync(int max, TimeSpan claimFor, CancellationToken cancellationToken);

    /// <summary>Writes every poll outcome of a tick in one statement.</summary>
    Task SavePollOutcomesAsync(IReadOnlyList<PollOutcome> outcomes, CancellationToken cancellationToken);

    /// <summary>
    /// Claims batches whose local step stopped making progress, so it can be handed to that step again; a batch
    /// waiting for its upload slot behind one that made progress within the period is claimed too (the next
    /// sweep waits a period for it) and marked as waiting its turn.
    /// </summary>
    Task<IReadOnlyList<StalledBatch>> ClaimStalledAsync(TimeSpan olderThan, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Records a terminal batch's per-file results in one transaction (bulk, idempotent): each file's
    /// outcome, error class and attempt; the files the batch said nothing about by the batch's end;
    /// the follow-up's first look; and closes the run when this was its last open batch.
    /// </summary>
    Task<RecordSummary> RecordResultsAsync(long batchId, BatchState remoteState, IReadOnlyList<FileResult> results, RecordPolicy policy, CancellationToken cancellationToken);

    /// <summary>When the record step first found the batch's results listed short of their total: <paramref name="now"/> the first time.</summary>
    Task<DateTimeOffset> ListedShortSinceAsync(long batchId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a terminal batch whose results LlamaCloud can no longer give (it answers 404 for the batch) as
    /// <see cref="RecordResultsAsync"/> ends one that failed as a whole, or was cancelled, with no per-file result
    /// (<see cref="BatchLifecycle.LostRecordedAs"/>), with <paramref name="lost"/>'s reasons on the batch and its files.
    /// </summary>
    Task<RecordSummary> RecordLostAsync(long batchId, LostBatch lost, RecordPolicy policy, CancellationToken cancellationToken);

    /// <summary>The remote file ids (<c>dfl-…</c>) of the batch's uploaded files.</summary>
    Task<IReadOnlyList<string>> GetRemoteFileIdsAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>Counts one more attempt of the step the batch waits for (upload or submit) and returns the count.</summary>
    Task<int> BeginStepAttemptAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>
    /// Takes back an attempt the step counted but did not use (the project was paused, or LlamaCloud asked it to wait). Fenced:
    /// a holder whose lease was taken over would take back the new holder's count.
    /// </summary>
    Task RefundStepAttemptAsync(long batchId, Leases.Lease fence, CancellationToken cancellationToken);

    /// <summary>Keeps why the step failed (the batch's last error), for its page and for the reason it may end with.</summary>
    Task RecordStepErrorAsync(long batchId, string error, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a batch that has no remote batch (<see cref="Lifecycle.BatchLifecycle.GiveUp"/>) with the reason,
    /// its files as <paramref name="how"/> says; closes its run if it was the last open batch. Returns how many
    /// of its files went back to the queue and how many failed for good by the retry rule (none when they failed
    /// outright), or null when the batch was not in a state the move starts from. Fenced: a holder whose lease was taken
    /// over would end the batch its successor is moving on within those states, its files queued to be sent again.
    /// </summary>
    Task<SentBack?> GiveUpAsync(long batchId, BatchAbandonment how, RetryRule retry, Leases.Lease fence, CancellationToken cancellationToken);

    /// <summary>Makes an open remote batch due for polling now (a webhook said it moved); false if no open batch has that id.</summary>
    Task<bool> MakeDueNowAsync(string remoteBatchId, CancellationToken cancellationToken);

    /// <summary>Records that LlamaCloud took the operator's cancel of the batch (or had ended it), so the poller does not send it again.</summary>
    Task MarkCancelSentAsync(long batchId, CancellationToken cancellationToken);
}

/// <summary>
/// How a batch that cannot go on ends: <paramref name="Reason"/> (a person can act on it) on the batch and
/// its files; the files back to the queue while the retry rule allows (<paramref name="BackToQueue"/>),
/// or Failed with <paramref name="ErrorClass"/>. <paramref name="MayBeBilled"/>: whether an earlier attempt created the
/// batch remotely could not be learned, so its files' reservations stay rather than free cap room a batch may be using.
/// <paramref name="CountsAttempt"/> false: nothing about the files failed (their source is no longer configured), so they
/// go back to the queue as they were, their attempts not counted, whatever the retry rule says.
/// </summary>
internal sealed record BatchAbandonment(string Reason, Retries.FailureClass ErrorClass, bool BackToQueue, bool MayBeBilled = false, bool CountsAttempt = true);

/// <summary>
/// Why a batch's results cannot be read (LlamaCloud no longer knows it): <paramref name="BatchError"/> is kept as the
/// batch's last error, <paramref name="FileReason"/> on each of its files left without a result and queued again;
/// it ends as <paramref name="EndsAs"/> (<see cref="BatchLifecycle.LostRecordedAs"/>).
/// </summary>
internal sealed record LostBatch(string BatchError, string FileReason, BatchState EndsAs);

/// <summary>
/// A batch row. <paramref name="V1ParseTier"/> is the tier a v1_parse batch was planned to ask for (null: none);
/// <paramref name="V1Scope"/> what a v1 batch was planned to be created over (null: a v2 batch, or one planned before
/// batches recorded it).
/// </summary>
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
    ProjectScope Scope = default,
    string? V1ParseTier = null,
    V1Scope? V1Scope = null,
    RemoteLayout Layout = RemoteLayout.PerRun);

/// <summary>A batch to poll now, in the project it was created in.</summary>
/// <summary>
/// A batch due for a poll; <paramref name="CancelUnsentSince"/>, when an operator asked to cancel it, while LlamaCloud has
/// not taken that cancel (null: never asked, or taken).
/// </summary>
internal sealed record DueBatch(
    long Id, string RemoteBatchId, BatchState State, int PollCount, string JobType = "parse_v2", ProjectScope Scope = default, DateTimeOffset? CancelUnsentSince = null);

/// <summary>What one poll found, and when to look next.</summary>
internal sealed record PollOutcome(long BatchId, BatchState State, TimeSpan PollIn, string? Error);

/// <summary>
/// A batch whose step must be handed out again; or, <paramref name="WaitsItsTurn"/>, one that only waits for its
/// source's upload slot while another batch of the source is uploading (not stalled: the slot comes to it). Its
/// project and whether an operator asked to cancel it tell whether its step only waits for a pause to end.
/// </summary>
internal sealed record StalledBatch(long Id, string Source, BatchState State, bool WaitsItsTurn = false, ProjectScope Scope = default, bool CancelRequested = false);

/// <summary>
/// Counts written by one recording: outcomes of the files the batch reported on, files it said
/// nothing about, and job references waiting for their follow-up. <paramref name="SentBack"/> counts the files
/// the retry rule decided: those that failed with a class a later batch may cure, and those the batch said nothing
/// about when it failed as a whole; queued again, or failed for good once their attempts are used up.
/// </summary>
internal sealed record RecordSummary(int Succeeded, int Failed, int Unmapped, bool AlreadyRecorded, int Skipped = 0, int FollowUps = 0, SentBack SentBack = default);

/// <summary>
/// How a recording treats files: <paramref name="MaxAttempts"/> is the source's limit (a file of a
/// batch that failed as a whole returns to the queue only below it); <paramref name="FollowUpAt"/>,
/// when set, is when the follow-up first looks at the job references (null: follow-up is off, and none waits for it);
/// <paramref name="CancelRequested"/>, whether an operator here asked to cancel the batch
/// (<see cref="FileVersionLifecycle.Unreported(BatchState, bool)"/>); <paramref name="ListedShort"/>, whether the results
/// are a list LlamaCloud cut short of the total it stated: the files it left out were in the batch and may have been
/// billed, so their reservations stay counted as a failed batch's do.
/// </summary>
internal sealed record RecordPolicy(int MaxAttempts, DateTimeOffset? FollowUpAt, bool CancelRequested = false, bool ListedShort = false)
{
    public RetryRule Retry => new(MaxAttempts);
}

/// <summary>
/// The remote batches a resubmission may adopt as its own lost attempt: never one recorded by any of our
/// rows, and never one the directory had before our first POST (<see cref="Preexisting"/>). A PerRun
/// directory is ours alone, so a row submitted before the snapshot existed may adopt any other. <see cref="CreateSentAt"/>:
/// when the last create was sent, if its answer never came (a batch it made may not be listed yet), and
/// <see cref="SinceCreateSent"/> how long ago, both by the database's clock: two instances' clocks may disagree by more
/// than the wait itself, and one running ahead would create a second batch while the first may still appear.
/// </summary>
internal sealed record AdoptionWindow(
    RemoteLayout Layout, IReadOnlySet<string>? Preexisting, IReadOnlySet<string> KnownRemoteBatchIds, DateTimeOffset? CreateSentAt = null, TimeSpan? SinceCreateSent = null)
{
    public bool MayAdopt(string remoteBatchId) =>
        !KnownRemoteBatchIds.Contains(remoteBatchId)
        && (Preexisting is null ? Layout == RemoteLayout.PerRun : !Preexisting.Contains(remoteBatchId));
}
