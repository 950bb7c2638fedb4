using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// When to poll a batch next: soon after creation, backing off by half again per poll up to a cap,
/// and at a slow, fixed pace while THROTTLED (it waits on capacity, not on us).
/// </summary>
internal static class PollSchedule
{
    public static TimeSpan NextDelay(PollingOptions options, BatchState state, int pollCount)
    {
        if (state == BatchState.Throttled)
        {
            return options.ThrottledDelay;
        }

        var factor = Math.Pow(1.5, Math.Min(pollCount, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(options.InitialDelay.Ticks * factor, options.MaxDelay.Ticks));
        return delay < options.InitialDelay ? options.InitialDelay : delay;
    }
}
