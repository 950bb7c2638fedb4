using BatchOrchestrator.Core.Retries;
using static BatchOrchestrator.Core.Lifecycle.FileVersionState;

namespace BatchOrchestrator.Core.Lifecycle;

/// <summary>
/// The moves of a file version (docs/architecture.md, States): found by a scan, put in a batch,
/// uploaded, submitted, and given its outcome by the batch's results or, later, by its job. Failed
/// versions go back to the queue by <see cref="RetryRule"/> or when an operator asks.
/// </summary>
internal static class FileVersionLifecycle
{
    /// <summary>A scan hashed new content.</summary>
    public static readonly Transition<FileVersionState> Discover = new(nameof(Discover), [], Discovered);

    /// <summary>
    /// Content whose version was skipped (changed or gone before upload) is there again. So is a mirror's content
    /// whose remote copy was removed when its file went or changed, whatever its state: the mirror must hold it again.
    /// </summary>
    public static readonly Transition<FileVersionState> Rediscover = new(nameof(Rediscover), [Skipped], Discovered);

    /// <summary>Put in a new batch (only a version in no batch yet, held by a cap or not); its upload is owed.</summary>
    public static readonly Transition<FileVersionState> Plan = new(nameof(Plan), [Discovered, Held], Discovered);

    /// <summary>
    /// Planning found no room for it under a spending cap (docs/costs.md, "Caps"): it waits, with the cap and
    /// the reason, for a planning after its window turns over, or for an operator's approval.
    /// </summary>
    public static readonly Transition<FileVersionState> Hold = new(nameof(Hold), [Discovered, Held], Held);

    /// <summary>
    /// Its file changed or went while it was held (<see cref="Hold"/>): the content it stands for is no longer the folder's.
    /// Skipped by the next planning, as the upload step skips a version whose file changed; back as <see cref="Rediscover"/>
    /// if the content returns. Left held, it stayed under "Needs a person" and in the held gauges for good, and one held
    /// past a whole cap could only be let go by an approval that reserved credits for a file that was not there.
    /// </summary>
    public static readonly Transition<FileVersionState> HeldGone = new(nameof(HeldGone), [Held], Skipped);

    /// <summary>An operator approved it past the caps: the next planning takes it whatever they say.</summary>
    public static readonly Transition<FileVersionState> Approve = new(nameof(Approve), [Held], Discovered);

    /// <summary>
    /// Its job failed or came back empty on the source's configuration, and the source names a fallback: it
    /// goes back to the queue once, for a batch of its own with the fallback configuration (docs/costs.md).
    /// </summary>
    public static readonly Transition<FileVersionState> Escalate = new(nameof(Escalate), [Succeeded], Discovered);

    /// <summary>
    /// A mirror's next batch takes again every version its directory already holds, whatever became of
    /// it: nothing to send, only to batch again. It does so at the end of the batch's uploads, once one of its new or changed
    /// files went up; with none, the batch ends unsubmitted and these stay as they were.
    /// </summary>
    public static readonly Transition<FileVersionState> Rebatch = new(nameof(Rebatch), Enum.GetValues<FileVersionState>(), Uploaded);

    public static readonly Transition<FileVersionState> Upload = new(nameof(Upload), [Discovered], Uploaded);

    /// <summary>
    /// Its batch's directory is gone before the batch was submitted (it expired, or was deleted): its copy went
    /// with it, and the batch create names the directory, so it is uploaded again into the batch's new one.
    /// </summary>
    public static readonly Transition<FileVersionState> Reupload = new(nameof(Reupload), [Uploaded], Discovered);

    /// <summary>Taken out of its batch before upload: Skipped when it changed or vanished, Failed when unreadable or refused.</summary>
    public static readonly Transition<FileVersionState> NotUploaded = new(nameof(NotUploaded), [Discovered], Failed, Skipped);

    /// <summary>
    /// Its batch was given up before it reached LlamaCloud (<see cref="BatchLifecycle.GiveUp"/>): back to the queue
    /// while <see cref="RetryRule"/> allows, or Failed with the class and reason the give-up names.
    /// </summary>
    public static readonly Transition<FileVersionState> GiveUp = new(nameof(GiveUp), [Discovered, Uploaded], Discovered, Failed);

    /// <summary>Its batch was created at LlamaCloud.</summary>
    public static readonly Transition<FileVersionState> Submit = new(nameof(Submit), [Uploaded], Submitted);

    /// <summary>The finished batch's result for it: a job reference, an error, or a skip.</summary>
    public static readonly Transition<FileVersionState> Record = new(nameof(Record), [Submitted], Succeeded, Failed, Skipped);

    /// <summary>The finished batch said nothing about it: see <see cref="Unreported(BatchState)"/>.</summary>
    public static readonly Transition<FileVersionState> RecordUnreported = new(nameof(RecordUnreported), [Submitted], Discovered, Failed, Skipped);

    /// <summary>Its job failed or was cancelled after the batch had reported it.</summary>
    public static readonly Transition<FileVersionState> JobVerdict = new(nameof(JobVerdict), [Succeeded], Failed, Skipped);

    /// <summary>Back to the queue by itself, as <see cref="RetryRule"/> allows, when its source's next run plans batches.</summary>
    public static readonly Transition<FileVersionState> Retry = new(nameof(Retry), [Failed], Discovered);

    /// <summary>Back to the queue because an operator asked, whatever its attempts.</summary>
    public static readonly Transition<FileVersionState> OperatorRetry = new(nameof(OperatorRetry), [Failed], Discovered);

    /// <summary>
    /// Sent again because an operator asked, after its source's job type, configuration id or v1_parse tier changed
    /// (docs/operations.md, reprocessing): back to the queue as if new, its earlier results kept.
    /// </summary>
    public static readonly Transition<FileVersionState> Reprocess = new(nameof(Reprocess), [Succeeded], Discovered);

    /// <summary>Its batch was cancelled by an operator before it reached LlamaCloud.</summary>
    public static readonly Transition<FileVersionState> CancelBeforeSubmit = new(nameof(CancelBeforeSubmit), [Discovered, Uploaded], Skipped);

    /// <summary>Versions whose remote copy their batch names (v1 item-scoped batches list them).</summary>
    public static readonly IReadOnlyList<FileVersionState> InBatchRemotely = [Uploaded, Submitted];

    /// <summary>Versions with an outcome: their batch is done with them.</summary>
    public static readonly IReadOnlyList<FileVersionState> Ended = [Succeeded, Failed, Skipped];

    /// <summary>
    /// What becomes of a file its finished batch said nothing about, by how the batch ended. After a
    /// batch-level FAILED there is no reliable per-file result (docs/llamacloud-api.md §2.1): the file
    /// returns to the queue while <see cref="RetryRule"/> allows, and fails for good (transient,
    /// exhausted) after; so too when LlamaCloud no longer knows the batch (<see cref="BatchLifecycle.LostEndsAs"/>).
    /// After a cancel it was never processed. After COMPLETED a missing result is an error of its own, counted as an attempt.
    /// </summary>
    public static UnreportedOutcome Unreported(BatchState batchEnd) => batchEnd switch
    {
        BatchState.Failed => new(Failed, Retry.Target, FailureClass.Transient),
        BatchState.Cancelled => new(Skipped, null, null),
        _ => new(Failed, null, FailureClass.Transient),
    };

    /// <summary>
    /// As <see cref="Unreported(BatchState)"/>, knowing whether an operator here asked to cancel the batch. One that ended
    /// CANCELLED without that was cancelled by someone else at LlamaCloud (its web app, another tool holding the key):
    /// dropping its unprocessed files was nobody's choice here, and as Skipped nothing would ever send them (their files
    /// are unchanged), so they go back to the queue as after a batch that failed as a whole.
    /// </summary>
    public static UnreportedOutcome Unreported(BatchState batchEnd, bool cancelRequested) =>
        Unreported(batchEnd == BatchState.Cancelled && !cancelRequested ? BatchState.Failed : batchEnd);

    /// <summary>Why a file its batch said nothing about went back to the queue.</summary>
    public static string Requeued(BatchState batchEnd) =>
        batchEnd == BatchState.Cancelled ? "batch cancelled at LlamaCloud, not by an operator here" : "batch failed as a whole";
}

/// <summary>
/// How an unreported file ends: <paramref name="Final"/>, or <paramref name="Retry"/> while the retry
/// rule still allows <paramref name="ErrorClass"/>; a class means the batch counts as an attempt.
/// </summary>
internal sealed record UnreportedOutcome(FileVersionState Final, FileVersionState? Retry, FailureClass? ErrorClass);
