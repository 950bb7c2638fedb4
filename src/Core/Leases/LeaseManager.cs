namespace BatchOrchestrator.Core.Leases;

/// <summary>Acquires leases and keeps them renewed for as long as the work holds them.</summary>
internal sealed class LeaseManager(ILeaseStore store, IOptions<LeaseOptions> options, TimeProvider time, ILogger<HeldLease> logger)
{
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
}
