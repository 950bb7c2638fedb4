using static BatchOrchestrator.Core.Lifecycle.FileVersionState;

namespace BatchOrchestrator.Core.Tests.Lifecycle;

public sealed class FileVersionLifecycleFacts
{
    [Fact]
    public void AFileTheFailedBatchSaidNothingAbout_ReturnsToTheQueue_AsATransientFailure() =>
        Assert.Equal(new UnreportedOutcome(Failed, Discovered, FailureClass.Transient), FileVersionLifecycle.Unreported(BatchState.Failed));

    [Fact]
    public void AFileACancelledBatchSaidNothingAbout_IsSkipped_WithoutAnAttempt() =>
        Assert.Equal(new UnreportedOutcome(Skipped, null, null), FileVersionLifecycle.Unreported(BatchState.Cancelled));

    [Fact]
    public void AFileABatchCancelledByNoOperatorHereSaidNothingAbout_ReturnsToTheQueue_AsAfterAFailedBatch()
    {
        Assert.Equal(FileVersionLifecycle.Unreported(BatchState.Failed), FileVersionLifecycle.Unreported(BatchState.Cancelled, cancelRequested: false));
        Assert.Equal(FileVersionLifecycle.Unreported(BatchState.Cancelled), FileVersionLifecycle.Unreported(BatchState.Cancelled, cancelRequested: true));
        Assert.Equal(FileVersionLifecycle.Unreported(BatchState.Completed), FileVersionLifecycle.Unreported(BatchState.Completed, cancelRequested: false));
    }

    [Fact]
    public void AFileACompletedBatchSaidNothingAbout_Fails_AsATransientFailureNotRetriedAtOnce() =>
        Assert.Equal(new UnreportedOutcome(Failed, null, FailureClass.Transient), FileVersionLifecycle.Unreported(BatchState.Completed));

    [Fact]
    public void EveryUnreportedOutcome_IsAnEndRecordUnreportedAllows()
    {
        foreach (var end in BatchLifecycle.Record.From)
        {
            var outcome = FileVersionLifecycle.Unreported(end);
            Assert.True(FileVersionLifecycle.RecordUnreported.Allows(Submitted, outcome.Final));
            Assert.True(outcome.Retry is null || FileVersionLifecycle.RecordUnreported.Allows(Submitted, outcome.Retry.Value));
        }
    }




}
