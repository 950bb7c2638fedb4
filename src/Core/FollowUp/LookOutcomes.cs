using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Retries;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// What one look at a job reference makes of it: the reference's next follow-up state and, where the job ended, its file
/// version's (docs/lifecycle.md). A sink that failed to take a finished result makes it a failed look, tried again.
/// </summary>
internal static class LookOutcomes
{
    public static FollowUpOutcome Of(JobLook look, string? sinkError, int maxAttempts, bool cancelRequested)
    {
        var item = look.Item;
        FollowUpOutcome Retry(string error) => new(
            item.ResultId, item.FileVersionId, FollowUpLifecycle.AfterFailedLook(item.Attempts, maxAttempts), look.RemoteStatus, true, error);

        return look.Kind switch
        {
            LookKind.Finished when sinkError is not null => Retry(sinkError),
            LookKind.Finished => new(item.ResultId, item.FileVersionId, FollowUpState.FollowedUp, look.RemoteStatus, false, null)
            {
                FailedPages = look.Document?.FailedPages ?? [],
                FailedPageError = look.Document?.FailedPageError,
            },
            LookKind.Waiting => new(item.ResultId, item.FileVersionId, FollowUpState.Recorded, look.RemoteStatus, false, null),
            LookKind.Deferred => new(item.ResultId, item.FileVersionId, FollowUpState.Recorded, look.RemoteStatus, false, look.Error),
            LookKind.JobFailed => new(
                item.ResultId, item.FileVersionId, FollowUpState.FollowUpFailed, look.RemoteStatus, false, look.Error,
                FileVersionState.Failed, FailureClassifier.Classify(look.Error)),
            // Cancelled by an operator here because it never ended ('cancel jobs'): what they asked for is the file sent again.
            // First, since that request is the later one: a job flagged stuck belongs to a batch that has ended, whose own
            // cancel (one that reached LlamaCloud too late, say) would have the file skipped, and no run would take it.
            LookKind.JobCancelled when item.CancelRequested => new(
                item.ResultId, item.FileVersionId, FollowUpState.FollowUpFailed, look.RemoteStatus, false,
                $"{look.Error} by an operator here, as it had not ended (Watchdog:JobStuckAfter); its file is sent again", FileVersionState.Failed, FailureClass.Transient),
            LookKind.JobCancelled when cancelRequested => new(
                item.ResultId, item.FileVersionId, FollowUpState.FollowUpFailed, look.RemoteStatus, false, look.Error, FileVersionState.Skipped),
            // Cancelled at LlamaCloud by someone else (its web app, another tool holding the key): skipped, the file would
            // never be sent again, its file unchanged. It fails as a job that may pass another time, within MaxAttempts.
            LookKind.JobCancelled => new(
                item.ResultId, item.FileVersionId, FollowUpState.FollowUpFailed, look.RemoteStatus, false,
                $"{look.Error} at LlamaCloud, not by an operator here", FileVersionState.Failed, FailureClass.Transient),
            LookKind.Gone => new(
                item.ResultId, item.FileVersionId, FollowUpState.FollowUpFailed, look.RemoteStatus, false, look.Error, FileVersionState.Failed, FailureClass.Permanent),
            LookKind.Unusable => new(item.ResultId, item.FileVersionId, FollowUpState.FollowUpFailed, look.RemoteStatus, false, look.Error),
            _ => Retry(look.Error ?? "the look failed"),
        };
    }
}
