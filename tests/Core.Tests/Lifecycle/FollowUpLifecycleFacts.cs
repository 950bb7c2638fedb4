namespace BatchOrchestrator.Core.Tests.Lifecycle;

public sealed class FollowUpLifecycleFacts
{
    [Theory]
    [InlineData(0, 3, nameof(FollowUpState.Recorded))]
    [InlineData(1, 3, nameof(FollowUpState.Recorded))]
    [InlineData(2, 3, nameof(FollowUpState.FollowUpFailed))]
    [InlineData(0, 1, nameof(FollowUpState.FollowUpFailed))]
    public void AFailedLook_LeavesTheReferenceWaiting_UntilItsAttemptsAreUsedUp(int attemptsBefore, int maxAttempts, string after) =>
        Assert.Equal(Enum.Parse<FollowUpState>(after), FollowUpLifecycle.AfterFailedLook(attemptsBefore, maxAttempts));

    [Fact]
    public void OnlyASucceededFileWithAJob_IsFollowedUp()
    {
        Assert.True(FollowUpLifecycle.Follows(FileVersionState.Succeeded, "pjb-1"));
        Assert.False(FollowUpLifecycle.Follows(FileVersionState.Succeeded, null));
        Assert.False(FollowUpLifecycle.Follows(FileVersionState.Failed, "pjb-1"));
    }

    [Fact]
    public void OnlyAReferenceStillRecorded_IsWaiting_AndOnlyARunScanningOrActive_IsInProgress()
    {
        Assert.Equal([FollowUpState.Recorded], FollowUpLifecycle.Waiting);
        Assert.Equal([RunState.Scanning, RunState.Active], RunLifecycle.InProgress);
    }
}
