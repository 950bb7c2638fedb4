namespace BatchOrchestrator.Core.Batches;

/// <summary>How batches are polled ("Polling" section).</summary>
public sealed class PollingOptions
{
    /// <summary>
    /// The shortest time between two poll ticks while work is due (a tick starts when a batch is due for a
    /// poll, a step has stalled, a follow-up or a watchdog age falls due; docs/performance.md).
    /// 100 ms to 10 minutes.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// With nothing due, how often an instance asks the database (one small query) whether anything became
    /// due through another process. Jobs ending on the instance wake it at once, whatever this says.
    /// </summary>
    public TimeSpan IdleCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The first poll after a batch is created; later polls back off from here.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest gap between two polls of a running batch.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The gap while the API reports THROTTLED (it is waiting on capacity, not on us).</summary>
    public TimeSpan ThrottledDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Batches polled at once within one tick.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Batches claimed per tick; the rest wait for the next one.</summary>
    public int MaxBatchesPerTick { get; set; } = 500;

    /// <summary>
    /// How long a tick's claim on a due batch lasts: another tick leaves it alone meanwhile, and if the instance
    /// that claimed it dies mid-poll, it is polled again after this. Polling a batch twice is harmless.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A poll tick whose next tick falls due within this long stays and runs it too, rather than end and have
    /// another job handed out moments later: a batch polled every few seconds costs one tick job, not one per
    /// poll (docs/performance.md, P4). Zero ends every tick after one pass.
    /// </summary>
    public TimeSpan HoldTickFor { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest one held tick stays before it ends and the ticker hands out a fresh one.</summary>
    public TimeSpan HoldTickAtMost { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A batch whose step (upload, submit, record) made no progress for this long is handed to it again.</summary>
    public TimeSpan StalledAfter { get; set; } = TimeSpan.FromMinutes(10);
}
