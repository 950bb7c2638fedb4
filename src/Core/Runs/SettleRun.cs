using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Runs;

/// <summary>When a run that left files unsettled has the next look at them (docs/sources.md, "What a scan takes").</summary>
internal static class SettleRun
{
    /// <summary>How long a look waits when every file it waits for changed again before it ever settled.</summary>
    public static readonly TimeSpan StillChangingRecheck = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The settle window after a scan that found files changing, or written to between its walk and their hash: without
    /// that run, a source on a nightly schedule with watching off takes them a night late. But a file written to without
    /// end (a log, a database file) is unsettled at every look, and a run every window for it alone would scan the whole
    /// source every few seconds for as long as it is written; when such files are all there is to wait for, the next
    /// look comes after <see cref="StillChangingRecheck"/>, and one of them that stops changing is taken up to that late.
    /// Null when nothing waits to settle.
    /// </summary>
    public static TimeSpan? After(ScanSummary summary, TimeSpan settleWindow)
    {
        if (summary.Unsettled <= 0 && summary.ChangedWhileHashing <= 0)
        {
            return null;
        }

        var onlyStillChanging = summary.ChangedWhileHashing == 0 && summary.StillChanging >= summary.Unsettled;
        return onlyStillChanging ? Latest(settleWindow) : settleWindow;
    }

    /// <summary>The longest a run that left files unsettled waits before its look (<see cref="After"/>), whatever it found.</summary>
    public static TimeSpan Latest(TimeSpan settleWindow) => settleWindow < StillChangingRecheck ? StillChangingRecheck : settleWindow;
}
