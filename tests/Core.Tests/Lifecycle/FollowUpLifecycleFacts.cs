using BatchOrchestrator.Core.Lifecycle;

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
    public void ALook_StartsOnlyFromRecorded_AndAnOperatorRetryOnlyFromFailed()
    {
        Assert.Equal([FollowUpState.Recorded], FollowUpLifecycle.Look.From);
        Assert.True(FollowUpLifecycle.Retry.Allows(FollowUpState.FollowUpFailed, FollowUpState.Recorded));
        Assert.False(FollowUpLifecycle.Retry.CanStartFrom(FollowUpState.FollowedUp)); // delivered results stay delivered
    }

    [Fact]
    public void ARun_CompletesOnlyFromActive_AndFailsOnlyWhileScanning()
    {
        Assert.Equal([RunState.Active], RunLifecycle.Complete.From);
        Assert.Equal([RunState.Scanning], RunLifecycle.Fail.From);
        Assert.Equal([RunState.Scanning, RunState.Active], RunLifecycle.InProgress);
    }
}
