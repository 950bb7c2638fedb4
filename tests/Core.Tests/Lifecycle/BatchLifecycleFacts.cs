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

    [Theory]
    [InlineData(nameof(Pending), true, false)]
    [InlineData(nameof(Throttled), true, false)]
    [InlineData(nameof(Running), true, false)]
    [InlineData(nameof(Completed), false, true)]
    [InlineData(nameof(Failed), false, true)]
    [InlineData(nameof(Cancelled), false, true)]
    [InlineData(nameof(Planned), false, false)]
    [InlineData(nameof(ResultsRecorded), false, false)]
    public void ABatchIsPolledWhileLlamaCloudWorksOnIt_AndTerminalOnceItIsDone(string state, bool active, bool terminal)
    {
        Assert.Equal(active, Enum.Parse<BatchState>(state).IsActiveRemotely());
        Assert.Equal(terminal, Enum.Parse<BatchState>(state).IsTerminal());
    }
}
