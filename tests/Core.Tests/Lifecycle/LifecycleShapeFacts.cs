namespace BatchOrchestrator.Core.Tests.Lifecycle;

/// <summary>
/// Every lifecycle is whole: each state is reached by some transition, each transition is named after
/// its field, and only the states that end a lifecycle have no way out. A state added without its
/// transitions fails here.
/// </summary>
public sealed class LifecycleShapeFacts
{
    [Fact]
    public void BatchLifecycle_ReachesEveryState_AndLeavesEveryStateButItsEnd() =>
        AssertWhole(typeof(BatchLifecycle), ends: [BatchState.ResultsRecorded]);

    [Fact]
    public void FileVersionLifecycle_ReachesEveryState_AndLeavesEveryState() =>
        AssertWhole<FileVersionState>(typeof(FileVersionLifecycle), ends: []);

    [Fact]
    public void RunLifecycle_ReachesEveryState_AndLeavesOnlyScanningAndActive() =>
        AssertWhole(typeof(RunLifecycle), ends: [RunState.Completed, RunState.NoChanges, RunState.Failed]);

    [Fact]
    public void FollowUpLifecycle_ReachesEveryState_AndLeavesOnlyRecordedAndFailed() =>
        AssertWhole(typeof(FollowUpLifecycle), ends: [FollowUpState.FollowedUp]);

    private static void AssertWhole<TState>(Type lifecycle, TState[] ends)
        where TState : struct, Enum
    {
        var transitions = Lifecycles.TransitionsOf<TState>(lifecycle);
        Assert.NotEmpty(transitions);
        foreach (var state in Enum.GetValues<TState>())
        {
            Assert.True(transitions.Any(t => t.To.Contains(state)), $"no transition of {lifecycle.Name} ends in {state}");
            var leaves = transitions.Any(t => t.From.Contains(state) && t.To.Any(to => !to.Equals(state)));
            Assert.True(leaves != ends.Contains(state), $"{state} {(leaves ? "has a way out but is listed as an end" : "has no way out")} in {lifecycle.Name}");
        }

        Assert.All(transitions, t => Assert.NotNull(lifecycle.GetField(t.Name)));
    }
}
