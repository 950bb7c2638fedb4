namespace BatchOrchestrator.Core.Tests.Lifecycle;

/// <summary>Every file-version transition's guard and end states, as a table: a changed from-state or target fails here.</summary>
public sealed class FileVersionTransitionFacts
{
    public static readonly TheoryData<string, string, string> Table = new()
    {
        { nameof(FileVersionLifecycle.Discover), "", "Discovered" },
        { nameof(FileVersionLifecycle.Rediscover), "Skipped", "Discovered" },
        { nameof(FileVersionLifecycle.Plan), "Discovered Held", "Discovered" },
        { nameof(FileVersionLifecycle.Hold), "Discovered Held", "Held" },
        { nameof(FileVersionLifecycle.Approve), "Held", "Discovered" },
        { nameof(FileVersionLifecycle.HeldGone), "Held", "Skipped" },
        { nameof(FileVersionLifecycle.Escalate), "Succeeded", "Discovered" },
        { nameof(FileVersionLifecycle.Rebatch), "*", "Uploaded" },
        { nameof(FileVersionLifecycle.Upload), "Discovered", "Uploaded" },
        { nameof(FileVersionLifecycle.Reupload), "Uploaded", "Discovered" },
        { nameof(FileVersionLifecycle.NotUploaded), "Discovered", "Failed Skipped" },
        { nameof(FileVersionLifecycle.GiveUp), "Discovered Uploaded", "Discovered Failed" },
        { nameof(FileVersionLifecycle.Submit), "Uploaded", "Submitted" },
        { nameof(FileVersionLifecycle.Record), "Submitted", "Succeeded Failed Skipped" },
        { nameof(FileVersionLifecycle.RecordUnreported), "Submitted", "Discovered Failed Skipped" },
        { nameof(FileVersionLifecycle.JobVerdict), "Succeeded", "Failed Skipped" },
        { nameof(FileVersionLifecycle.Retry), "Failed", "Discovered" },
        { nameof(FileVersionLifecycle.OperatorRetry), "Failed", "Discovered" },
        { nameof(FileVersionLifecycle.Reprocess), "Succeeded", "Discovered" },
        { nameof(FileVersionLifecycle.CancelBeforeSubmit), "Discovered Uploaded", "Skipped" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void ATransition_StartsOnlyFromItsGuard_AndEndsOnlyInItsTargets(string name, string from, string to) =>
        TransitionTable.AssertRow<FileVersionState>(typeof(FileVersionLifecycle), name, from, to);

    [Fact]
    public void EveryTransitionOfTheLifecycle_IsInTheTable() =>
        TransitionTable.AssertComplete<FileVersionState>(typeof(FileVersionLifecycle), Table);
}
