namespace BatchOrchestrator.Core.Leases;

/// <summary>
/// A write made under <see cref="Lease"/> was refused: the lease carries a newer fencing token now, so another
/// holder took it over while this one was stalled past its expiry (a long GC pause, a frozen VM), and that holder
/// does the step's work (docs/reliability.md, "Fencing"). An <see cref="OperationCanceledException"/>, as the lease's
/// token is when renewal finds it lost: it is no failure of the step, and nothing records one for it.
/// </summary>
internal sealed class LeaseLostException(Lease lease, Exception? inner = null)
    : OperationCanceledException($"lease {lease.Name} was taken over by another holder: fencing token {lease.FencingToken} is stale", inner)
{
    public Lease Lease { get; } = lease;

    /// <summary>
    /// A fenced write of a caller that holds the lease for that write alone (an operator's command), not for a step: refused, it
    /// gives <paramref name="refused"/>, and the holder that took the lease over carries on; there is no step to stop.
    /// </summary>
    public static async Task<T> OrWhenRefusedAsync<T>(Task<T> write, T refused)
    {
        try
        {
            return await write;
        }
        catch (LeaseLostException)
        {
            return refused;
        }
    }

    /// <summary>The one line the stopped step leaves: nothing it did is lost, the new holder carries the batch on.</summary>
    public void Warn(ILogger logger, string step, long batchId) => logger.LogWarning(
        "The {Step} step of batch {BatchId} stops: another worker took its lease over while this one was stalled past it (fencing token {FencingToken} is stale); "
        + "the batch is that worker's now, and this one sends and writes nothing more of it",
        step, batchId, Lease.FencingToken);
}
