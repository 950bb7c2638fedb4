namespace BatchOrchestrator.Core.Tests.Lifecycle;

public sealed class TransitionFacts
{
    [Fact]
    public void Allows_OnlyFromItsGuardStates_IntoItsEndStates()
    {
        var record = FileVersionLifecycle.Record;

        Assert.True(record.Allows(FileVersionState.Submitted, FileVersionState.Succeeded));
        Assert.True(record.Allows(FileVersionState.Submitted, FileVersionState.Skipped));
        Assert.False(record.Allows(FileVersionState.Uploaded, FileVersionState.Succeeded)); // not submitted yet
        Assert.False(record.Allows(FileVersionState.Succeeded, FileVersionState.Failed)); // recorded already
        Assert.False(record.Allows(FileVersionState.Submitted, FileVersionState.Discovered)); // not an outcome
    }

    [Fact]
    public void Target_IsTheOneEndState_AndRefusesToChooseAmongSeveral()
    {
        Assert.Equal(FileVersionState.Submitted, FileVersionLifecycle.Submit.Target);
        var error = Assert.Throws<InvalidOperationException>(() => FileVersionLifecycle.Record.Target);
        Assert.Contains("Record may end in Succeeded or Failed or Skipped", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATransitionWithNoEndState_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new Transition<RunState>("Nowhere", [RunState.Scanning]));

    [Fact]
    public void ABirth_StartsFromNoState() =>
        Assert.All(Enum.GetValues<BatchState>(), state => Assert.False(BatchLifecycle.Plan.CanStartFrom(state)));
}
