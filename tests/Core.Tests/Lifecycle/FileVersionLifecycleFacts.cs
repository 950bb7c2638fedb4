using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Retries;
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

    [Fact]
    public void OnlyAFileNotYetSubmitted_IsSkippedByACancelBeforeSubmit()
    {
        Assert.True(FileVersionLifecycle.CancelBeforeSubmit.Allows(Discovered, Skipped));
        Assert.True(FileVersionLifecycle.CancelBeforeSubmit.Allows(Uploaded, Skipped));
        Assert.All([Submitted, Succeeded, Failed], s => Assert.False(FileVersionLifecycle.CancelBeforeSubmit.CanStartFrom(s)));
    }

    [Fact]
    public void AJobsVerdict_ChangesOnlyAFileThatSucceeded()
    {
        Assert.True(FileVersionLifecycle.JobVerdict.Allows(Succeeded, Failed));
        Assert.True(FileVersionLifecycle.JobVerdict.Allows(Succeeded, Skipped));
        Assert.All([Discovered, Uploaded, Submitted, Failed, Skipped], s => Assert.False(FileVersionLifecycle.JobVerdict.CanStartFrom(s)));
    }

    [Fact]
    public void UploadAndItsRefusal_StartOnlyFromDiscovered()
    {
        Assert.True(FileVersionLifecycle.Upload.Allows(Discovered, Uploaded));
        Assert.True(FileVersionLifecycle.NotUploaded.Allows(Discovered, Failed));
        Assert.True(FileVersionLifecycle.NotUploaded.Allows(Discovered, Skipped));
        Assert.False(FileVersionLifecycle.Upload.CanStartFrom(Uploaded)); // never sent twice
        Assert.False(FileVersionLifecycle.NotUploaded.Allows(Discovered, Succeeded));
    }

    [Fact]
    public void Retries_TakeOnlyFailedFiles_BackToTheQueue()
    {
        Assert.Equal([Failed], FileVersionLifecycle.Retry.From);
        Assert.Equal([Failed], FileVersionLifecycle.OperatorRetry.From);
        Assert.Equal(Discovered, FileVersionLifecycle.Retry.Target);
        Assert.True(FileVersionLifecycle.Rediscover.Allows(Skipped, Discovered));
    }
}
