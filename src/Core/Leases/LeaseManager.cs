namespace BatchOrchestrator.Core.Leases;

/// <summary>Acquires leases and keeps them renewed for as long as the work holds them.</summary>
internal sealed class LeaseManager(ILeaseStore store, IOptions<LeaseOptions> options, TimeProvider time, ILogger<HeldLease> logger)
{
    private static readonly TimeSpan AskAgainEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a lease lasts unless renewed: by then a holder that is gone has lost it.</summary>
    public TimeSpan TimeToLive => options.Value.TimeToLive;

    /// <summary>Null when another holder has it.</summary>
    public async Task<HeldLease?> TryHoldAsync(string name, CancellationToken cancellationToken)
    {
        var ttl = options.Value.TimeToLive;
        var owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        var lease = await store.TryAcquireAsync(name, owner, ttl, cancellationToken);
        return lease is null ? null : new HeldLease(lease, store, ttl, time, logger, cancellationToken);
    }

    /// <summary>
    /// As <see cref="TryHoldAsync(string, CancellationToken)"/>, but found held, asked for again every quarter second for up
    /// to <paramref name="askFor"/>: for work whose holder may be just leaving, having scheduled what comes next before its
    /// release (a round trip later). Null when still held after that.
    /// </summary>
    public async Task<HeldLease?> TryHoldAsync(string name, TimeSpan askFor, CancellationToken cancellationToken)
    {
        var lease = await TryHoldAsync(name, cancellationToken);
        if (lease is null)
        {
            logger.LogDebug("Lease {Lease} is held; asking again for up to {Wait}", name, askFor);
        }

        var started = time.GetTimestamp();
        while (lease is null && time.GetElapsedTime(started) < askFor)
        {
            await Task.Delay(AskAgainEvery, time, cancellationToken);
            lease = await TryHoldAsync(name, cancellationToken);
        }

        return lease;
    }
}
