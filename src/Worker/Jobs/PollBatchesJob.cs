using BatchOrchestrator.Core.Ticks;
using Hangfire;

namespace BatchOrchestrator.Worker.Jobs;

/// <summary>
/// A poll tick over every due batch in the cluster, held on while the next one falls due soon (PollTicker).
/// Overlapping ticks (on this or another instance) are harmless: each claims different batches with SKIP
/// LOCKED, so no lock is needed here.
/// </summary>
internal sealed class PollBatchesJob(PollTick tick, PollTicker ticker)
{
    [JobDisplayName("Poll batches")]
    [AutomaticRetry(Attempts = 0)] // the next tick is the retry
    public Task RunAsync(CancellationToken cancellationToken) => ticker.TickAsync(tick.RunAsync, cancellationToken);
}
