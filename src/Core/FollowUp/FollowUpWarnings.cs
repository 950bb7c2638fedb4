using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Retries;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>What a batch's follow-up says at Warning, per file, for an operator to act on.</summary>
internal static class FollowUpWarnings
{
    /// <summary>A result delivered without pages LlamaCloud failed is billed and useful, but not the whole document: say so, per file.</summary>
    public static void Partial(ILogger logger, JobLook[] looks, List<FollowUpOutcome> outcomes)
    {
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (outcomes[i] is { State: FollowUpState.FollowedUp, FailedPages.Count: > 0 } partial)
            {
                logger.LogWarning(
                    "Result of {Path} (job {JobId}) was delivered without some pages: {FailedPages}. Needs a person lists it",
                    looks[i].Item.RelativePath, looks[i].Item.JobId, FailedPages.Describe(partial.FailedPages, partial.FailedPageError));
            }
        }
    }

    /// <summary>
    /// The results of one look at a batch that will never be delivered, and whose file no run sends again by itself: its
    /// job failed for a reason another try would not cure, its result is gone from LlamaCloud, or a sink refused it until
    /// its attempts ran out. Said only in the batch's summary line, the operator learned of them from a count alone. Not
    /// the ones a retry run or the fallback configuration sends again (a retry run says so when their attempts are used
    /// up), nor those an operator's own cancel ended. The first few are named; the rest, counted once the look ends.
    /// </summary>
    internal sealed class NotDelivered(ILogger logger, long batchId)
    {
        // A whole batch whose sink is gone would otherwise write a line per file: the Batches page lists them all.
        private const int Named = 5;
        private int seen;

        public void Add(JobLook[] looks, List<FollowUpOutcome> outcomes)
        {
            for (var i = 0; i < outcomes.Count; i++)
            {
                if (outcomes[i] is not { State: FollowUpState.FollowUpFailed, Escalate: false } outcome
                    || outcome.FileState is FileVersionState.Skipped or FileVersionState.Discovered
                    || looks[i].Item.CancelRequested
                    || outcome.FileErrorClass?.RetriedAutomatically() == true)
                {
                    continue;
                }

                if (++seen <= Named)
                {
                    logger.LogWarning(
                        "Result of {Path} (job {JobId}) will not be delivered: {Reason}; {Then}",
                        looks[i].Item.RelativePath ?? looks[i].Item.SourceDirectoryFileId, looks[i].Item.JobId, outcome.Error,
                        outcome.FileState == FileVersionState.Failed
                            ? "no result from this batch (retry --failed --permanent sends its file again once fixed)"
                            : "Retry follow-ups on its batch tries again");
                }
            }
        }

        public void Finish()
        {
            if (seen > Named)
            {
                logger.LogWarning("{More} more results of batch {BatchId} will not be delivered; its Batches page lists them", seen - Named, batchId);
            }
        }
    }
}
