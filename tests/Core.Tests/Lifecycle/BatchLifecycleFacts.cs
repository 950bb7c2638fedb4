using BatchOrchestrator.Core.Lifecycle;
using static BatchOrchestrator.Core.Lifecycle.BatchState;

namespace BatchOrchestrator.Core.Tests.Lifecycle;

public sealed class BatchLifecycleFacts
{
    [Theory]
    [InlineData(nameof(Planned), nameof(BatchStep.Upload))]
    [InlineData(nameof(Creating), nameof(BatchStep.Submit))]
    [InlineData(nameof(Completed), nameof(BatchStep.Record))]
    [InlineData(nameof(Failed), nameof(BatchStep.Record))]
    [InlineData(nameof(Cancelled), nameof(BatchStep.Record))]
    public void OwedStep_IsTheStepOfOursTheBatchWaitsFor(string state, string step) =>
        Assert.Equal(Enum.Parse<BatchStep>(step), BatchLifecycle.OwedStep(Enum.Parse<BatchState>(state)));

    [Theory]
    [InlineData(nameof(Pending))]
    [InlineData(nameof(Throttled))]
    [InlineData(nameof(Running))]
    [InlineData(nameof(ResultsRecorded))]
    public void OwedStep_IsNone_WhileLlamaCloudWorksOrOnceEnded(string state) =>
        Assert.Null(BatchLifecycle.OwedStep(Enum.Parse<BatchState>(state)));

    [Fact]
    public void AwaitingLocalStep_IsExactlyTheStatesWithAnOwedStep() =>
        Assert.Equal(
            Enum.GetValues<BatchState>().Where(s => BatchLifecycle.OwedStep(s) is not null).Order(),
            BatchLifecycle.AwaitingLocalStep.Order());

    [Fact]
    public void Poll_MovesAnActiveBatchToWhateverTheApiReports_AndNothingElse()
    {
        foreach (var from in new[] { Pending, Throttled, Running })
        {
            Assert.All(BatchLifecycle.RemoteStatuses, to => Assert.True(BatchLifecycle.Poll.Allows(from, to)));
            Assert.False(BatchLifecycle.Poll.Allows(from, ResultsRecorded)); // only recording ends a batch
        }

        Assert.All([Planned, Creating, Completed, Failed, Cancelled, ResultsRecorded], from => Assert.False(BatchLifecycle.Poll.CanStartFrom(from)));
    }

    [Fact]
    public void Record_EndsOnlyATerminalBatch_AndOnlyOnce()
    {
        Assert.All([Completed, Failed, Cancelled], s => Assert.True(BatchLifecycle.Record.Allows(s, ResultsRecorded)));
        Assert.All([Planned, Creating, Pending, Throttled, Running, ResultsRecorded], s => Assert.False(BatchLifecycle.Record.CanStartFrom(s)));
        Assert.True(Completed.IsTerminal());
        Assert.False(Running.IsTerminal());
    }

    [Fact]
    public void CancelBeforeSubmit_IsRefusedOnceTheBatchReachedLlamaCloud()
    {
        Assert.True(BatchLifecycle.CancelBeforeSubmit.Allows(Planned, ResultsRecorded));
        Assert.True(BatchLifecycle.CancelBeforeSubmit.Allows(Creating, ResultsRecorded));
        Assert.All([Pending, Throttled, Running, Completed, ResultsRecorded], s => Assert.False(BatchLifecycle.CancelBeforeSubmit.CanStartFrom(s)));
    }

    [Fact]
    public void Submit_StartsOnlyFromCreating_AndTakesTheRemoteStatus()
    {
        Assert.True(BatchLifecycle.Submit.Allows(Creating, Pending));
        Assert.True(BatchLifecycle.Submit.Allows(Creating, Completed)); // an adopted batch may have finished
        Assert.False(BatchLifecycle.Submit.CanStartFrom(Planned)); // uploads first
        Assert.False(BatchLifecycle.Submit.Allows(Creating, Planned));
    }

    [Fact]
    public void AnUploadStepEnds_InCreating_OrAtOnceWhenNothingWasUploaded()
    {
        Assert.Equal(Creating, BatchLifecycle.FinishUploads.Target);
        Assert.Equal(ResultsRecorded, BatchLifecycle.NothingUploaded.Target);
        Assert.All([BatchLifecycle.FinishUploads, BatchLifecycle.NothingUploaded], t => Assert.Equal([Planned], t.From));
    }
}
