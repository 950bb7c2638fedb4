namespace BatchOrchestrator.Core.Tests.Lifecycle;

/// <summary>Every follow-up and run transition's guard and end states, as tables: a changed from-state or target fails here.</summary>
public sealed class FollowUpAndRunTransitionFacts
{
    public static readonly TheoryData<string, string, string> FollowUp = new()
    {
        { nameof(FollowUpLifecycle.Begin), "", "Recorded" },
        { nameof(FollowUpLifecycle.Look), "Recorded", "Recorded FollowedUp FollowUpFailed" },
        { nameof(FollowUpLifecycle.Retry), "FollowUpFailed", "Recorded" },
    };

    public static readonly TheoryData<string, string, string> Run = new()
    {
        { nameof(RunLifecycle.Start), "", "Scanning" },
        { nameof(RunLifecycle.FinishScanWithBatches), "Scanning", "Active" },
        { nameof(RunLifecycle.FinishScanWithNothing), "Scanning", "NoChanges" },
        { nameof(RunLifecycle.Fail), "Scanning", "Failed" },
        { nameof(RunLifecycle.FinishScanAfterItsBatches), "Scanning", "Completed" },
        { nameof(RunLifecycle.InterruptAfterPlanning), "Scanning", "Active" },
        { nameof(RunLifecycle.Complete), "Active", "Completed" },
    };

    [Theory]
    [MemberData(nameof(FollowUp))]
    public void AFollowUpTransition_StartsOnlyFromItsGuard_AndEndsOnlyInItsTargets(string name, string from, string to) =>
        TransitionTable.AssertRow<FollowUpState>(typeof(FollowUpLifecycle), name, from, to);

    [Theory]
    [MemberData(nameof(Run))]
    public void ARunTransition_StartsOnlyFromItsGuard_AndEndsOnlyInItsTargets(string name, string from, string to) =>
        TransitionTable.AssertRow<RunState>(typeof(RunLifecycle), name, from, to);

    [Fact]
    public void EveryTransitionOfEachLifecycle_IsInItsTable()
    {
        TransitionTable.AssertComplete<FollowUpState>(typeof(FollowUpLifecycle), FollowUp);
        TransitionTable.AssertComplete<RunState>(typeof(RunLifecycle), Run);
    }
}
