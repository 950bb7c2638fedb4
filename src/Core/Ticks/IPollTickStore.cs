namespace BatchOrchestrator.Core.Ticks;

/// <summary>Tells, without claiming anything, when the poll tick next has work: one cheap, index-backed question.</summary>
internal interface IPollTickStore
{
    /// <summary>
    /// How long until one of the tick's concerns has work (zero or less: it has now), by the database's
    /// clock; null when nothing is open at all. The concerns and their ages: a batch due for a poll, a
    /// step stalled for <see cref="PollTickAges.StalledAfter"/>, a follow-up due (when dispatched), and open
    /// work reaching the watchdog's ages, and an ended batch reaching the webhook liveness margin.
    /// </summary>
    Task<TimeSpan?> TimeUntilDueAsync(PollTickAges ages, CancellationToken cancellationToken);
}

/// <summary>The ages at which the tick's sweeps act, and whether it hands out follow-ups.</summary>
/// <paramref name="WebhookMissedAfter"/>: when an ended batch whose webhook never came is flagged (null: never asked).
internal sealed record PollTickAges(TimeSpan StalledAfter, TimeSpan StuckAfter, TimeSpan JobStuckAfter, bool FollowUps, TimeSpan? WebhookMissedAfter = null);
