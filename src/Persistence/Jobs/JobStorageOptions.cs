namespace BatchOrchestrator.Persistence.Jobs;

/// <summary>Hangfire's PostgreSQL storage ("Hangfire:Storage" section).</summary>
public sealed class JobStorageOptions
{
    /// <summary>
    /// How often each idle worker looks for jobs in the queue whatever it has heard. Jobs enqueued by this
    /// instance are picked up at once, and with <see cref="EnableLongPolling"/> so are jobs enqueued by other
    /// processes, so this is only the fallback for a lost notification. Each look is a transaction per
    /// worker: 10 workers every 2 s were most of an idle service's statements (docs/performance.md).
    /// Hangfire.PostgreSql's default is 15 s.
    /// </summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Enqueueing sends a PostgreSQL NOTIFY that wakes idle workers on every instance (Hangfire.PostgreSql's
    /// long polling: each waiting worker holds one more connection, LISTENing). Off: jobs enqueued by another
    /// process (a second instance, the command line) wait up to <see cref="QueuePollInterval"/>; shorten it then.
    /// On, Hangfire's connections get a keepalive (<see cref="JobStorageFactory.ListenKeepaliveSeconds"/>).
    /// </summary>
    public bool EnableLongPolling { get; set; } = true;

    /// <summary>
    /// A job not heard from for this long is given to another worker. Sliding: a live job keeps
    /// extending it (Hangfire.PostgreSql 1.20.9+), so long jobs are not run twice (docs/reliability.md §0.7).
    /// It is also how long the steps a killed process had fetched wait before anyone takes them up again
    /// (docs/operations.md, "After a crash"): as long as the batch leases they hold (<c>Leases:TimeToLive</c>),
    /// since a step taken up sooner would only find its batch still leased and look again once the lease expired.
    /// A live job says it is alive every fifth of it (one statement per running job).
    /// </summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Age after which another instance removes a Hangfire lock row (Hangfire.PostgreSql's default is
    /// 10 min). A process killed while its recurring-job or delayed-job scheduler held its lock (held
    /// for milliseconds per pass) would otherwise stop every instance from scheduling polls and
    /// retries for that long; the Worker's own exclusivity uses its leases, not these locks.
    /// </summary>
    public TimeSpan DistributedLockTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
