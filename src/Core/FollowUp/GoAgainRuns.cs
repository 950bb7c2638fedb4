using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Core.Runs;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Asks for the runs that take the files a follow-up sends again: those escalated to their source's fallback configuration
/// (docs/costs.md, "Cheap tier first") and those whose job failed in a way a later batch may cure. It asks as each chunk's
/// save commits, not once the look has gone through every chunk: a saved chunk is never looked at again (only references
/// still waiting are), so a look refused after it (its lease taken over) or killed would otherwise leave its files to the
/// source's next scheduled run, a night away for a nightly source (docs/resilience.md, "Files a follow-up sends again").
/// One look asks for the runs it needs, not one per chunk.
/// </summary>
internal sealed class GoAgainRuns(
    IPipelineScheduler scheduler, RetryRuns retryRuns, IOptions<PipelineOptions> pipeline, TimeProvider time, ILogger<GoAgainRuns> logger)
{
    private const string Reason = "their jobs failed; each file's error says why";

    /// <summary>What one look at <paramref name="batchId"/> has asked for so far; <paramref name="maxAttempts"/> is its source's.</summary>
    public Look Begin(string source, long batchId, string? fallback, int maxAttempts) => new(this, source, batchId, fallback, new RetryRule(maxAttempts));

    private void QueueEscalationRun(string source, long batchId, string? fallback, int count)
    {
        scheduler.EnqueueRun(source, RunTrigger.Manual);
        logger.LogInformation(
            "{Count} files of batch {BatchId} go once more with fallback configuration {ConfigurationId}; a run of {Source} is queued", count, batchId, fallback, source);
    }

    /// <summary>
    /// A job that failed in a way a later batch may cure sends its file back to the queue, as a batch that failed as a whole does:
    /// a run is scheduled <c>Pipeline:RetryRunAfter</c> later to take it. That run takes every file sent back before it starts, so a
    /// later chunk's within half that delay asks for none of its own (the other half allows for another instance's clock). Returns
    /// until when the run scheduled now, if any, covers; files whose last attempt this was are said at the end (<see cref="SayWhatWentBack"/>).
    /// </summary>
    private DateTimeOffset? ScheduleRetryRun(string source, long batchId, int queued) =>
        retryRuns.Follow(source, batchId, new SentBack(queued, 0), Reason) ? time.GetUtcNow() + (pipeline.Value.RetryRunAfter / 2) : null;

    private bool Before(DateTimeOffset? until) => time.GetUtcNow() < until;

    /// <summary>Said once per look, not once per chunk: a large batch's failures would otherwise fill the log with a warning per chunk.</summary>
    private void SayWhatWentBack(string source, long batchId, int sentBackCovered, int sentBackUnscheduled, int usedUp)
    {
        if (sentBackCovered > 0)
        {
            logger.LogInformation(
                "Batch {BatchId}: {Count} more of its files go back to the queue; the run of {Source} this follow-up scheduled takes them", batchId, sentBackCovered, source);
        }

        if (sentBackUnscheduled > 0)
        {
            logger.LogInformation(
                "Batch {BatchId}: {Count} more of its files go back to the queue, with no run scheduled for {Source}, as said for the first", batchId, sentBackUnscheduled, source);
        }

        retryRuns.Follow(source, batchId, new SentBack(0, usedUp), Reason);
    }

    /// <summary>Adds the versions whose job failed with a class retried by itself: queued again below their attempts, else used up.</summary>
    private static SentBack SentBackBy(JobLook[] looks, List<FollowUpOutcome> outcomes, RetryRule retry)
    {
        var sum = new SentBack(0, 0);
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (outcomes[i] is { FileState: FileVersionState.Failed, FileErrorClass: { } failure, FileVersionId: not null, Escalate: false }
                && failure.RetriedAutomatically())
            {
                sum = retry.Retries(failure, looks[i].Item.VersionAttempts) ? sum with { Queued = sum.Queued + 1 } : sum with { UsedUp = sum.UsedUp + 1 };
            }
        }

        return sum;
    }

    internal sealed class Look(GoAgainRuns runs, string source, long batchId, string? fallback, RetryRule retry)
    {
        private bool escalationRunQueued;
        private int escalationsSinceRun;
        private DateTimeOffset? retryRunCovers;
        private bool noRetryRun; // none can be scheduled (Pipeline:RetryRunAfter 0, the source removed): said once, for the first chunk's
        private int sentBackCovered;
        private int sentBackUnscheduled;
        private int usedUp;

        /// <summary>After a chunk's save has committed: asks for what its outcomes owe, unless a run this look asked for takes them.</summary>
        public void Saved(JobLook[] looks, List<FollowUpOutcome> outcomes)
        {
            var escalated = outcomes.Count(o => o.Escalate);
            if (escalated > 0 && escalationRunQueued)
            {
                // The run queued for an earlier chunk may have planned already: these are owed one more, asked for once by Finish.
                escalationsSinceRun += escalated;
            }
            else if (escalated > 0)
            {
                // The escalated versions wait in the queue for a planning: start one now rather than at the next schedule.
                runs.QueueEscalationRun(source, batchId, fallback, escalated);
                escalationRunQueued = true;
            }

            var sentBack = SentBackBy(looks, outcomes, retry);
            usedUp += sentBack.UsedUp;
            if (sentBack.Queued > 0 && noRetryRun)
            {
                sentBackUnscheduled += sentBack.Queued;
            }
            else if (sentBack.Queued > 0 && runs.Before(retryRunCovers))
            {
                sentBackCovered += sentBack.Queued;
            }
            else if (sentBack.Queued > 0)
            {
                retryRunCovers = runs.ScheduleRetryRun(source, batchId, sentBack.Queued);
                noRetryRun = retryRunCovers is null;
            }
        }

        /// <summary>
        /// Once the look has gone through its chunks, or stops: one run for the escalations saved after the first run was queued, and
        /// what the chunks sent back without a run of their own.
        /// </summary>
        public void Finish()
        {
            if (escalationsSinceRun > 0)
            {
                runs.QueueEscalationRun(source, batchId, fallback, escalationsSinceRun);
                escalationsSinceRun = 0;
            }

            runs.SayWhatWentBack(source, batchId, sentBackCovered, sentBackUnscheduled, usedUp);
            (sentBackCovered, sentBackUnscheduled, usedUp) = (0, 0, 0);
        }
    }
}
