namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Bounds the follow-up jobs of this process that wait in place for their batch's next look
/// (<see cref="FollowUpOptions.MaxHolding"/>): each keeps a Hangfire worker while it waits, and the
/// other steps need theirs. A job that finds none free ends after its look, as it would without holding.
/// </summary>
internal sealed class FollowUpHolds(IOptions<FollowUpOptions> options)
{
    private int holding;

    public bool TryTake()
    {
        var max = options.Value.MaxHolding;
        var now = Volatile.Read(ref holding);
        while (now < max)
        {
            var seen = Interlocked.CompareExchange(ref holding, now + 1, now);
            if (seen == now)
            {
                return true;
            }

            now = seen;
        }

        return false;
    }

    public void Release() => Interlocked.Decrement(ref holding);
}
