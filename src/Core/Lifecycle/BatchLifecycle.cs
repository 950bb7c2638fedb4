using static BatchOrchestrator.Core.Lifecycle.BatchState;

namespace BatchOrchestrator.Core.Lifecycle;

/// <summary>
/// The moves of a batch (docs/architecture.md, States): planned, uploaded, created at LlamaCloud,
/// following the remote status while it runs, and ended once its per-file results are recorded. A
/// batch that never reaches LlamaCloud (cancelled first, or with no file uploaded) ends early.
/// </summary>
internal static class BatchLifecycle
{
    /// <summary>The statuses LlamaCloud reports for a batch (docs/llamacloud-api.md §2.1), as our states.</summary>
    public static readonly IReadOnlyList<BatchState> RemoteStatuses = [Pending, Throttled, Running, Completed, Failed, Cancelled];

    /// <summary>Files assigned; their uploads are owed.</summary>
    public static readonly Transition<BatchState> Plan = new(nameof(Plan), [], Planned);

    /// <summary>A remote-only source's batch: its files are already remote, so it is born ready to submit.</summary>
    public static readonly Transition<BatchState> PlanRemoteOnly = new(nameof(PlanRemoteOnly), [], Creating);

    /// <summary>Uploads done with at least one file sent: the row is marked before the POST that creates the remote batch.</summary>
    public static readonly Transition<BatchState> FinishUploads = new(nameof(FinishUploads), [Planned], Creating);

    /// <summary>No file could be uploaded: nothing to submit, the batch ends here.</summary>
    public static readonly Transition<BatchState> NothingUploaded = new(nameof(NothingUploaded), [Planned], ResultsRecorded);

    /// <summary>An operator cancelled it before it reached LlamaCloud.</summary>
    public static readonly Transition<BatchState> CancelBeforeSubmit = new(nameof(CancelBeforeSubmit), [Planned, Creating], ResultsRecorded);

    /// <summary>
    /// Its upload or submit step kept failing, or LlamaCloud refused a request of it (400, 404, 409 or 422: repeating
    /// it unchanged will not help, docs/llamacloud-api.md §11.2): it ends with the reason, and its
    /// files go back to the queue or fail (<see cref="FileVersionLifecycle.GiveUp"/>). Never once a remote batch is recorded.
    /// </summary>
    public static readonly Transition<BatchState> GiveUp = new(nameof(GiveUp), [Planned, Creating], ResultsRecorded);

    /// <summary>The remote batch was created (or an earlier attempt's adopted): it takes that batch's status.</summary>
    public static readonly Transition<BatchState> Submit = new(nameof(Submit), [Creating], [.. RemoteStatuses]);

    /// <summary>A poll: while LlamaCloud works on it, it takes whatever status the API reports.</summary>
    public static readonly Transition<BatchState> Poll = new(nameof(Poll), [Pending, Throttled, Running], [.. RemoteStatuses]);

    /// <summary>A terminal batch's per-file results are recorded: its end.</summary>
    public static readonly Transition<BatchState> Record = new(nameof(Record), [Completed, Failed, Cancelled], ResultsRecorded);

    /// <summary>
    /// How a submitted batch LlamaCloud no longer knows (404 to its status: it expired or was deleted) is taken to have
    /// ended: as one that failed as a whole, for no per-file result of it can be read any more. A poll moves it here
    /// (<see cref="Poll"/>) and its record ends it (<see cref="Record"/>), its files as <see cref="FileVersionLifecycle.Unreported"/> says.
    /// </summary>
    public static readonly BatchState LostEndsAs = Failed;

    /// <summary>
    /// How the record step ends a lost batch: as <see cref="LostEndsAs"/>, unless an operator had asked to cancel it.
    /// Then as cancelled, so its files are not sent again against that wish: a cancel that found it gone, or a cancel
    /// asked for just before LlamaCloud forgot it, leaves the same result as one that reached it.
    /// </summary>
    public static BatchState LostRecordedAs(bool cancelRequested) => cancelRequested ? Cancelled : LostEndsAs;

    /// <summary>
    /// States in which an operator's cancel still changes what happens: before LlamaCloud has it, or while it works on it. Not
    /// once it is terminal there: its record step reads a cancel request as the reason it ended (a lost batch's files Skipped,
    /// not sent again), and a batch that ended before the request is owed the outcome it ended with.
    /// </summary>
    public static readonly IReadOnlyList<BatchState> Cancellable = [.. CancelBeforeSubmit.From.Union(Poll.From)];

    /// <summary>States in which a batch has ended: nothing more happens to it.</summary>
    public static readonly IReadOnlyList<BatchState> Ended = [ResultsRecorded];

    /// <summary>States in which a step of ours is owed (upload, submit or record), whatever started it.</summary>
    public static readonly IReadOnlyList<BatchState> AwaitingLocalStep = [.. FinishUploads.From.Union(Submit.From).Union(Record.From)];

    /// <summary>LlamaCloud is working on it: it is polled.</summary>
    public static bool IsActiveRemotely(this BatchState state) => Poll.CanStartFrom(state);

    /// <summary>LlamaCloud is done with it; its results are owed.</summary>
    public static bool IsTerminal(this BatchState state) => Record.CanStartFrom(state);

    /// <summary>The step of ours a batch in <paramref name="state"/> waits for, if any.</summary>
    public static BatchStep? OwedStep(BatchState state) =>
        FinishUploads.CanStartFrom(state) ? BatchStep.Upload
        : Submit.CanStartFrom(state) ? BatchStep.Submit
        : Record.CanStartFrom(state) ? BatchStep.Record
        : null;
}
