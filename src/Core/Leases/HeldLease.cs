namespace BatchOrchestrator.Core.Leases;

/// <summary>
/// A lease renewed in the background every third of its time to live. <see cref="Token"/> is
/// cancelled if renewal fails, so the holder stops before anyone else could start. Disposing releases it.
/// </summary>
internal sealed class HeldLease : IAsyncDisposable
{
    private readonly ILeaseStore store;
    private readonly ILogger logger;
    private readonly CancellationTokenSource lost;
    private readonly Task renewing;

    internal HeldLease(Lease lease, ILeaseStore store, TimeSpan ttl, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        Lease = lease;
        this.store = store;
        this.logger = logger;
        lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        renewing = RenewAsync(ttl, time);
    }

    public Lease Lease { get; }

    /// <summary>Cancelled when the lease is lost or the caller's token is cancelled.</summary>
    public CancellationToken Token => lost.Token;

    public async ValueTask DisposeAsync()
    {
        await lost.CancelAsync();
        await renewing;
        try
        {
            await store.ReleaseAsync(Lease, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // It expires on its own; a failed release only delays the next holder.
            logger.LogWarning(ex, "Could not release lease {Lease}; it expires on its own", Lease.Name);
        }

        lost.Dispose();
    }

    private async Task RenewAsync(TimeSpan ttl, TimeProvider time)
    {
        using var timer = new PeriodicTimer(ttl / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(lost.Token))
            {
                if (!await store.RenewAsync(Lease, ttl, lost.Token))
                {
                    logger.LogError("Lost lease {Lease} (fencing token {FencingToken}); stopping the work it guarded", Lease.Name, Lease.FencingToken);
                    await lost.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // released or lost
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogError(ex, "Renewing lease {Lease} failed; stopping the work it guarded", Lease.Name);
            await lost.CancelAsync();
        }
    }
}
