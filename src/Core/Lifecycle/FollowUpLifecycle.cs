using static BatchOrchestrator.Core.Lifecycle.FollowUpState;

namespace BatchOrchestrator.Core.Lifecycle;

/// <summary>
/// The moves of a job reference's follow-up: recorded with its batch's results, looked at until its
/// result is in every sink or will never come, and given another round when an operator asks.
/// </summary>
internal static class FollowUpLifecycle
{
    /// <summary>The file the reference belongs to: only a Succeeded one with a job is followed up.</summary>
    public static readonly FileVersionState FollowedOutcome = FileVersionState.Succeeded;

    /// <summary>Recorded with the batch's results.</summary>
    public static readonly Transition<FollowUpState> Begin = new(nameof(Begin), [], Recorded);

    /// <summary>A look at the job: still waiting, delivered, or no result will come.</summary>
    public static readonly Transition<FollowUpState> Look = new(nameof(Look), [Recorded], Recorded, FollowedUp, FollowUpFailed);

    /// <summary>An operator gives a reference whose attempts ran out another round.</summary>
    public static readonly Transition<FollowUpState> Retry = new(nameof(Retry), [FollowUpFailed], Recorded);

    /// <summary>References whose result is still to be fetched.</summary>
    public static readonly IReadOnlyList<FollowUpState> Waiting = [Recorded];

    /// <summary>Whether a file's batch result starts a follow-up.</summary>
    public static bool Follows(FileVersionState outcome, string? jobId) => outcome == FollowedOutcome && jobId is not null;

    /// <summary>After a look that failed (the API, or a sink), the reference waits for another look until its attempts are used up.</summary>
    public static FollowUpState AfterFailedLook(int attemptsBefore, int maxAttempts) =>
        attemptsBefore + 1 >= maxAttempts ? FollowUpFailed : Recorded;
}
