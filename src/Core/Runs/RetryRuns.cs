using BatchOrchestrator.Core.Pipeline;

namespace BatchOrchestrator.Core.Runs;

/// <summary>
/// Files a batch sends back to the queue (it failed as a whole, LlamaCloud lost it, its step was given up, or a
/// file failed in a way a later batch may cure) are taken by their source's next run, which on a nightly schedule
/// is a day away. So a run is scheduled <c>Pipeline:RetryRunAfter</c> from then to take them (docs/resilience.md).
/// The count is an upper bound: a file whose last attempt this was fails for good, and a run that finds nothing to
/// take plans nothing. Several batches scheduling runs at once cost one run and a catch-up (a run in progress
/// records the request instead).
/// </summary>
internal sealed class RetryRuns(IPipelineScheduler scheduler, IOptions<PipelineOptions> pipeline, ILogger<RetryRuns> logger)
{
    public void Follow(string source, long batchId, int files)
    {
        if (files <= 0)
        {
            return;
        }

        var after = pipeline.Value.RetryRunAfter;
        if (after <= TimeSpan.Zero)
        {
            logger.LogInformation("Up to {Count} files of batch {BatchId} go back to the queue (those whose attempts allow); they wait for the next scheduled run of {Source} (Pipeline:RetryRunAfter is 0)", files, batchId, source);
            return;
        }

        scheduler.ScheduleRun(source, RunTrigger.Retry, after);
        logger.LogInformation("Up to {Count} files of batch {BatchId} go back to the queue (those whose attempts allow); a run of {Source} in {Delay} takes them", files, batchId, source, after);
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
}
