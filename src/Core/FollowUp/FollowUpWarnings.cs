using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Retries;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>What a chunk's follow-up says at Warning, per file, for an operator to act on.</summary>
internal static class FollowUpWarnings
{
    // A whole batch whose sink is gone would otherwise write a line per file: the Batches page lists the rest.
    private const int NamedPerChunk = 5;

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
    /// A result that will never be delivered, and whose file no run sends again by itself: its job failed for a reason
    /// another try would not cure, its result is gone from LlamaCloud, or a sink refused it until its attempts ran out.
    /// Said only in the batch's summary line, the operator learned of it from a count alone. Not the ones a retry run takes
    /// (said by it when their attempts are used up), nor those an operator's own cancel ended.
    /// </summary>
    public static void NotFollowedUp(ILogger logger, long batchId, JobLook[] looks, List<FollowUpOutcome> outcomes)
    {
        var ended = Enumerable.Range(0, outcomes.Count)
            .Where(i => outcomes[i] is { State: FollowUpState.FollowUpFailed } outcome
                && outcome.FileState != FileVersionState.Skipped
                && !looks[i].Item.CancelRequested
                && (outcome.FileErrorClass is not { } failure || !RetryRule.RetriedClasses.Contains(failure)))
            .ToList();
        foreach (var i in ended.Take(NamedPerChunk))
        {
            logger.LogWarning(
                "Result of {Path} (job {JobId}) will not be delivered: {Reason}; {Then}",
                looks[i].Item.RelativePath, looks[i].Item.JobId, outcomes[i].Error,
                outcomes[i].FileState == FileVersionState.Failed ? "its file failed for good (retry --failed --permanent sends it again once fixed)" : "Retry follow-ups on its batch tries again");
        }

        if (ended.Count > NamedPerChunk)
        {
            logger.LogWarning("{More} more results of batch {BatchId} will not be delivered; its Batches page lists them", ended.Count - NamedPerChunk, batchId);
        }
    }
}
