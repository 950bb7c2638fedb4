using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Webhooks;

namespace BatchOrchestrator.Core.Watchdog;

/// <summary>
/// Flags batches and jobs stuck beyond their configured age (docs/reliability.md §5.4: jobs stuck in PENDING
/// for days are the most reported LlamaParse problem), and fails runs a dead process left Scanning (a removed source
/// has no next run to fail them, as <see cref="Runs.SourceRunner"/> does). Runs with each poll tick; one round trip.
/// </summary>
internal sealed class StuckWatchdog(
    IWatchdogStore store, WebhookLiveness webhooks, IOptions<WatchdogOptions> options, TimeProvider time, ILogger<StuckWatchdog> logger)
{
    private const int MaxPerPass = 500;


    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var report = await store.FlagStuckAsync(settings.StuckAfter, settings.JobStuckAfter, MaxPerPass, RunLifecycle.InterruptedScanError, cancellationToken);
        var now = time.GetUtcNow();
        foreach (var batch in report.Batches)
        {
            logger.LogWarning(
                "Batch {BatchId} of {Source} ({RemoteBatchId}) is stuck: still {State} {Age} after it was planned (Watchdog:StuckAfter {StuckAfter})",
                batch.Id, batch.Source, batch.RemoteBatchId ?? "not submitted", batch.State, now - batch.CreatedAt, settings.StuckAfter);
        }

        foreach (var jobs in report.Jobs)
        {
            logger.LogWarning(
                "Batch {BatchId} has {Count} jobs whose results are still not fetched after {JobStuckAfter}, e.g. {JobIds}",
                jobs.BatchId, jobs.Count, settings.JobStuckAfter, string.Join(", ", jobs.SampleJobIds));
        }

        foreach (var run in report.Runs)
        {
            logger.LogWarning(
                "Run {InterruptedRunId} of {Source} was interrupted: the process scanning it ended before the scan finished (killed or crashed) and no run of the source holds its lease; {Outcome}, the source's next run scans again",
                run.Id, run.Source, RunLifecycle.InterruptedOutcome(run.State));
        }

        // Webhooks that should have announced a batch's end and did not: flagged for an operator the same way.
        await webhooks.CheckAsync(cancellationToken);
    }
}
