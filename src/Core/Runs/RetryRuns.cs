using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Runs;

/// <summary>
/// Files a batch sends back to the queue (it failed as a whole, LlamaCloud lost it, its step was given up, or a
/// file failed in a way a later batch may cure) are taken by their source's next run, which on a nightly schedule
/// is a day away. So a run is scheduled <c>Pipeline:RetryRunAfter</c> from then to take them (docs/resilience.md).
/// Files whose last attempt this was failed for good instead: they need a person, so they are told apart at
/// Warning, and no run is scheduled for them. Several batches scheduling runs at once cost one run and a catch-up
/// (a run in progress records the request instead).
/// </summary>
internal sealed class RetryRuns(IPipelineScheduler scheduler, IOptions<PipelineOptions> pipeline, IOptionsMonitor<SourcesOptions> sources, ILogger<RetryRuns> logger)
{
    /// <summary>Follows what the retry rule did with the batch's files; <paramref name="reason"/> is why they failed. True when it scheduled a run.</summary>
    public bool Follow(string source, long batchId, SentBack files, string reason)
    {
        if (files.UsedUp > 0)
        {
            UsedUp(source, batchId, files.UsedUp, reason);
        }

        if (files.Queued <= 0 || !IsConfigured(source, batchId, files.Queued))
        {
            return false;
        }

        var after = pipeline.Value.RetryRunAfter;
        if (after <= TimeSpan.Zero)
        {
            logger.LogInformation("Batch {BatchId}: {Count} of its files go back to the queue; they wait for the next scheduled run of {Source} (Pipeline:RetryRunAfter is 0)", batchId, files.Queued, source);
            return false;
        }

        scheduler.ScheduleRun(source, RunTrigger.Retry, after);
        logger.LogInformation("Batch {BatchId}: {Count} of its files go back to the queue; a run of {Source} in {Delay} takes them", batchId, files.Queued, source, after);
        return true;
    }

    /// <summary>As <see cref="Follow"/>, for a RemoteOnly batch that failed: its directory is sent again whole.</summary>
    public void FollowDirectory(string source, long batchId)
    {
        var after = pipeline.Value.RetryRunAfter;
        if (after <= TimeSpan.Zero)
        {
            logger.LogInformation("Batch {BatchId} over remote-only {Source}'s directory failed; its next scheduled run sends the directory again (Pipeline:RetryRunAfter is 0)", batchId, source);
            return;
        }

        scheduler.ScheduleRun(source, RunTrigger.Retry, after);
        logger.LogInformation("Batch {BatchId} over remote-only {Source}'s directory failed; a run in {Delay} sends the directory again", batchId, source, after);
    }

    /// <summary>
    /// Files whose last attempt this was: 'retry &lt;source&gt; --failed' sends them again, but refuses a source no longer
    /// configured (docs/operations.md, "Command line"), so the warning for one of those says what comes first.
    /// </summary>
    private void UsedUp(string source, long batchId, int count, string reason)
    {
        if (sources.CurrentValue.Find(source) is { } configured)
        {
            logger.LogWarning(
                "Batch {BatchId} of {Source}: {Count} of its files failed for good: that was the last attempt their source's MaxAttempts ({MaxAttempts}) allows ({Reason}). "
                + "No run takes them by itself: once the cause is fixed, 'retry {Source} --failed' sends them again",
                batchId, source, count, configured.MaxAttempts, reason, source);
            return;
        }

        logger.LogWarning(
            "Batch {BatchId} of {Source}: {Count} of its files failed for good: that was the last attempt the default MaxAttempts ({MaxAttempts}) allows ({Reason}). "
            + "No run takes them by itself, and {Source} is no longer configured: put it " + SourcesOptions.RemovedSourceRemedy + ", "
            + "then 'retry {Source} --failed' sends them again",
            batchId, source, count, new SourceOptions().MaxAttempts, reason, source, source);
    }

    /// <summary>
    /// A run of a source no longer configured would only be skipped (docs/operations.md, "A source removed while its batches
    /// are under way"): none is scheduled, and the log says what waits for it instead.
    /// </summary>
    private bool IsConfigured(string source, long batchId, int queued)
    {
        if (sources.CurrentValue.Find(source) is not null)
        {
            return true;
        }

        logger.LogWarning(
            "Batch {BatchId}: {Count} files of {Source} wait in the queue for a run of it once it is configured again; no run is scheduled, for {Source} is no longer configured",
            batchId, queued, source, source);
        return false;
    }
}
