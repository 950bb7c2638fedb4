namespace BatchOrchestrator.Core.Watchdog;

/// <summary>
/// When open work counts as stuck ("Watchdog" section). Stuck work is flagged once, in the log
/// (a warning with its ids) and on its row (<c>stuck_since</c>) for the dashboard; nothing is
/// cancelled or retried because of it.
/// </summary>
public sealed class WatchdogOptions
{
    /// <summary>A batch still not ended (results recorded) this long after it was planned.</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromHours(6);

    /// <summary>A parse, extract or classify job whose result is still not fetched this long after the batch's results were recorded.</summary>
    public TimeSpan JobStuckAfter { get; set; } = TimeSpan.FromHours(2);
}
