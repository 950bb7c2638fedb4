using static BatchOrchestrator.Core.Lifecycle.RunState;

namespace BatchOrchestrator.Core.Lifecycle;

/// <summary>
/// The moves of a run: it scans, then either has batches to see through (Active, until every one of
/// them has ended) or found nothing new; a scan that fails ends it.
/// </summary>
internal static class RunLifecycle
{
    public static readonly Transition<RunState> Start = new(nameof(Start), [], Scanning);

    /// <summary>The scan planned batches: the run lasts until they have all ended.</summary>
    public static readonly Transition<RunState> FinishScanWithBatches = new(nameof(FinishScanWithBatches), [Scanning], Active);

    public static readonly Transition<RunState> FinishScanWithNothing = new(nameof(FinishScanWithNothing), [Scanning], NoChanges);

    public static readonly Transition<RunState> Fail = new(nameof(Fail), [Scanning], Failed);

    /// <summary>
    /// The scan planned batches and every one of them had ended before the run left Scanning (an operator cancelled the run
    /// while it scanned, so each was born cancelled; every file of one was skipped at upload): the end of its last batch
    /// found the run still Scanning and could not complete it, and nothing would later.
    /// </summary>
    public static readonly Transition<RunState> FinishScanAfterItsBatches = new(nameof(FinishScanAfterItsBatches), [Scanning], Completed);

    /// <summary>
    /// A process died mid-scan after its planning had committed batches: they go on, uploading and billing under the run, so it
    /// is Active until they end (<see cref="Complete"/>), not Failed, its error saying the scan was interrupted. When they have
    /// all ended already, it ends as <see cref="FinishScanAfterItsBatches"/>; with none, it fails (<see cref="Fail"/>).
    /// </summary>
    public static readonly Transition<RunState> InterruptAfterPlanning = new(nameof(InterruptAfterPlanning), [Scanning], Active);

    /// <summary>
    /// The error recorded on a run a process that died mid-scan left Scanning (<see cref="Fail"/>, or <see cref="InterruptAfterPlanning"/>
    /// when its planning had committed batches): by the source's next run,
    /// which holds the lease and so knows no scan of it is alive, or by the watchdog once nobody holds it.
    /// </summary>
    public const string InterruptedScanError = "interrupted: the process scanning it ended before the scan finished (killed or crashed); the source's next run scans again";

    /// <summary>Its last open batch ended (<see cref="BatchLifecycle.Ended"/>).</summary>
    public static readonly Transition<RunState> Complete = new(nameof(Complete), [Active], Completed);

    /// <summary>What became of a run a dead process left Scanning, as the warning that reports it says.</summary>
    public static string InterruptedOutcome(RunState state) => state switch
    {
        Active => "its planning had committed batches, which go on under it: it stays Active until they end",
        Completed => "its planning had committed batches, which have all ended: recorded as completed",
        _ => "recorded as failed",
    };

    /// <summary>Runs still under way.</summary>
    public static readonly IReadOnlyList<RunState> InProgress = [Scanning, Active];
}

/// <summary>A run a dead process left Scanning, and the state it was recorded in (<see cref="RunLifecycle.InterruptedOutcome"/>).</summary>
internal sealed record InterruptedRun(long Id, string Source, RunState State);
