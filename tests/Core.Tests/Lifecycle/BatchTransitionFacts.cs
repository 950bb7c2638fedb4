namespace BatchOrchestrator.Core.Tests.Lifecycle;

/// <summary>Every batch transition's guard and end states, as a table: a changed from-state or target fails here.</summary>
public sealed class BatchTransitionFacts
{
    private const string RemoteStatuses = "Pending Throttled Running Completed Failed Cancelled";

    public static readonly TheoryData<string, string, string> Table = new()
    {
        { nameof(BatchLifecycle.Plan), "", "Planned" },
        { nameof(BatchLifecycle.PlanRemoteOnly), "", "Creating" },
        { nameof(BatchLifecycle.FinishUploads), "Planned", "Creating" },
        { nameof(BatchLifecycle.NothingUploaded), "Planned", "ResultsRecorded" },
        { nameof(BatchLifecycle.CancelBeforeSubmit), "Planned Creating", "ResultsRecorded" },
        { nameof(BatchLifecycle.GiveUp), "Planned Creating", "ResultsRecorded" },
        { nameof(BatchLifecycle.Submit), "Creating", RemoteStatuses },
        { nameof(BatchLifecycle.Poll), "Pending Throttled Running", RemoteStatuses },
        { nameof(BatchLifecycle.Record), "Completed Failed Cancelled", "ResultsRecorded" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void ABatchTransition_StartsOnlyFromItsGuard_AndEndsOnlyInItsTargets(string name, string from, string to) =>
        TransitionTable.AssertRow<BatchState>(typeof(BatchLifecycle), name, from, to);

    [Fact]
    public void EveryTransitionOfTheLifecycle_IsInTheTable() =>
        TransitionTable.AssertComplete<BatchState>(typeof(BatchLifecycle), Table);

    [Fact]
    public void TheRemoteStatuses_AreExactlyTheStatesLlamaCloudReports() =>
        Assert.Equal([BatchState.Pending, BatchState.Throttled, BatchState.Running, BatchState.Completed, BatchState.Failed, BatchState.Cancelled], BatchLifecycle.RemoteStatuses);
}
