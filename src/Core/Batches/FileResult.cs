using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Retries;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// What a finished batch decided for one of its files, ready to be recorded: Succeeded with a job
/// reference, Failed with the error and its class, or Skipped with the reason.
/// </summary>
internal sealed record FileResult(
    string SourceDirectoryFileId,
    FileVersionState Outcome,
    string? JobType = null,
    string? JobId = null,
    string? ErrorMessage = null,
    FailureClass? ErrorClass = null)
{
    /// <summary>A v2 result: a job reference, or the batch's mapping error, or (oddly) neither.</summary>
    public static FileResult FromV2(RemoteBatchResult result)
    {
        if (result.JobReference is { } job)
        {
            return new FileResult(result.SourceDirectoryFileId, FileVersionState.Succeeded, job.Type, job.Id);
        }

        var message = result.ErrorMessage ?? "the batch reported neither a job nor an error for this file";
        return new FileResult(result.SourceDirectoryFileId, FileVersionState.Failed, ErrorMessage: message, ErrorClass: FailureClassifier.Classify(result.ErrorMessage));
    }

    /// <summary>
    /// An item LlamaCloud reports as done with a job whose id it does not give (<c>job_id</c> is optional
    /// in TS SDK 2.13.0 <c>job-items.d.ts</c>): without it there is nothing to follow up, so it is not
    /// recorded from this answer.
    /// </summary>
    public static bool LacksJobId(V1Item item) => item.Status == "completed" && item.JobId is null;

    /// <summary>
    /// A v1 item, or null while it has no outcome (pending, or cancelled before it ran): the batch's
    /// end decides for those. A parse item still processing already has its job and is followed up.
    /// </summary>
    public static FileResult? FromV1(V1Item item, string jobType)
    {
        switch (item.Status)
        {
            case "completed":
            case "processing" when jobType == BatchJobTypes.V1Parse && item.JobId is not null:
                return new FileResult(item.ItemId, FileVersionState.Succeeded, jobType, item.JobId!);
            case "failed":
                // Its job, when it names one, may have billed pages it parsed before it failed (docs/costs.md, "Settling"): kept,
                // so that the reservation stays counted rather than released at 0.
                var message = item.ErrorMessage ?? "the item failed without a message";
                return new FileResult(
                    item.ItemId, FileVersionState.Failed, item.JobId is null ? null : jobType, item.JobId, message, FailureClassifier.Classify(message));
            case "skipped" when item.SkipReason == "already_processed":
                return new FileResult(item.ItemId, FileVersionState.Skipped, ErrorMessage: "LlamaCloud skipped it: already processed with the same parameters (skip_reason already_processed)");
            case "skipped":
                var reason = $"LlamaCloud skipped it: {item.SkipReason ?? "no reason given"}";
                return new FileResult(item.ItemId, FileVersionState.Failed, ErrorMessage: reason, ErrorClass: FailureClassifier.Classify(reason));
            default:
                return null;
        }
    }
}
