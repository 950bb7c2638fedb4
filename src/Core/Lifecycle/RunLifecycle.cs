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
    /// The error <see cref="Fail"/> records on a run a process that died mid-scan left Scanning: by the source's next run,
    /// which holds the lease and so knows no scan of it is alive, or by the watchdog once nobody holds it.
    /// </summary>
    public const string InterruptedScanError = "interrupted: the process scanning it ended before the scan finished (killed or crashed); the source's next run scans again";

    /// <summary>Its last open batch ended (<see cref="BatchLifecycle.Ended"/>).</summary>
    public static readonly Transition<RunState> Complete = new(nameof(Complete), [Active], Completed);

    /// <summary>Runs still under way.</summary>
    public static readonly IReadOnlyList<RunState> InProgress = [Scanning, Active];
}
