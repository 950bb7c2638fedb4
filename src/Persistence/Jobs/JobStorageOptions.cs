namespace BatchOrchestrator.Persistence.Jobs;

/// <summary>Hangfire's PostgreSQL storage ("Hangfire:Storage" section).</summary>
public sealed class JobStorageOptions
{
    /// <summary>
    /// How often idle workers look for jobs enqueued by other instances (jobs enqueued by this
    /// instance are picked up at once). Hangfire.PostgreSql's default is 15 s.
    /// </summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A job not heard from for this long is given to another worker. Sliding: a live job keeps
    /// extending it (Hangfire.PostgreSql 1.20.9+), so long jobs are not run twice (docs/reliability.md §0.7).
    /// </summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Age after which another instance removes a Hangfire lock row (Hangfire.PostgreSql's default is
    /// 10 min). A process killed while its recurring-job or delayed-job scheduler held its lock (held
    /// for milliseconds per pass) would otherwise stop every instance from scheduling polls and
    /// retries for that long; the Worker's own exclusivity uses its leases, not these locks.
    /// </summary>
    public TimeSpan DistributedLockTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
