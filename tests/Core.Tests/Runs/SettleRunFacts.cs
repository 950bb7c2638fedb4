using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Tests.Runs;

/// <summary>
/// The look after a scan that left files unsettled comes a settle window later, unless every file it waits for changed
/// again before it ever settled (a log written without end): then later, so that such a file does not have its whole
/// source scanned every few seconds for as long as it is written.
/// </summary>
public sealed class SettleRunFacts
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    [Fact]
    public void NothingUnsettled_NoRun() => Assert.Null(SettleRun.After(Scan(unsettled: 0), Window));

    [Fact]
    public void ANewFileSettling_IsLookedAtAgainAfterTheWindow_EvenBesideAFileThatKeepsChanging()
    {
        Assert.Equal(Window, SettleRun.After(Scan(unsettled: 1), Window));
        Assert.Equal(Window, SettleRun.After(Scan(unsettled: 2, stillChanging: 1), Window));
        Assert.Equal(Window, SettleRun.After(Scan(unsettled: 1, stillChanging: 1, changedWhileHashing: 1), Window));
        Assert.Equal(Window, SettleRun.After(Scan(unsettled: 0, changedWhileHashing: 1), Window));
    }

    [Fact]
    public void OnlyFilesThatKeepChanging_AreLookedAtAgainLater_NeverSoonerThanTheirWindow()
    {
        Assert.Equal(SettleRun.StillChangingRecheck, SettleRun.After(Scan(unsettled: 2, stillChanging: 2), Window));
        var longWindow = TimeSpan.FromMinutes(30);
        Assert.Equal(longWindow, SettleRun.After(Scan(unsettled: 1, stillChanging: 1), longWindow));
    }

    private static ScanSummary Scan(int unsettled, int stillChanging = 0, int changedWhileHashing = 0) =>
        new(Seen: 10, NewOrChanged: unsettled, Vanished: 0, Unsettled: unsettled, Hashed: 0, NewVersions: 0, Deferred: changedWhileHashing)
        {
            StillChanging = stillChanging,
            ChangedWhileHashing = changedWhileHashing,
        };
}
