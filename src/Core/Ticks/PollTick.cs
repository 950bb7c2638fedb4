using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Watchdog;

namespace BatchOrchestrator.Core.Ticks;

/// <summary>
/// The recurring poll tick, one concern per class: poll the due batches (and hand the finished ones to
/// recording), hand stalled steps out again, hand due follow-ups out, probe paused projects whose probe is
/// due, let the watchdog flag stuck work, and ask for runs that were owed and never came. Each claims its rows
/// with SKIP LOCKED (or under a row lock), so every instance may tick; the database round trips per tick are a
/// constant (six, one more per due probe, and one a minute for the owed runs) whatever the number of active
/// batches (bench: poll-round-trips).
/// </summary>
internal sealed class PollTick(
    BatchPoller poller,
    StalledStepResumer stalledSteps,
    FollowUpDispatcher followUps,
    PauseProbe probes,
    StuckWatchdog watchdog,
    OwedRuns owedRuns,
    IOptions<PollingOptions> options)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await poller.PollDueAsync(cancellationToken);
        await stalledSteps.ResumeAsync(cancellationToken);
        await followUps.DispatchDueAsync(options.Value.MaxBatchesPerTick, cancellationToken);
        await probes.ProbeDueAsync(cancellationToken);
        await watchdog.CheckAsync(cancellationToken);
        await owedRuns.CheckIfDueAsync(cancellationToken);
    }
}
