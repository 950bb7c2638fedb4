namespace BatchOrchestrator.Core.Leases;

/// <summary>
/// Lease rows of our own (docs/architecture.md decision 8): an owner, an expiry renewed while working, and a
/// fencing counter that grows with every acquisition. Unlike Hangfire's lock row, a live holder is
/// never evicted while it keeps renewing.
/// </summary>
internal interface ILeaseStore
{
    /// <summary>Takes the lease if it is free or expired; null if someone else holds it.</summary>
    Task<Lease?> TryAcquireAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Extends the lease; false if it was lost (expired and taken by someone else).</summary>
    Task<bool> RenewAsync(Lease lease, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Gives the lease up at once (keeping its fencing counter).</summary>
    Task ReleaseAsync(Lease lease, CancellationToken cancellationToken);
}

/// <summary>A held lease: whoever holds the highest fencing token is the rightful holder.</summary>
internal sealed record Lease(string Name, string Owner, long FencingToken);
