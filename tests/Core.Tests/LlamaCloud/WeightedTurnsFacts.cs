namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// The turns of a project's upload pace, shared by lane weight: no clock involved, each Exit hands out exactly
/// one turn, so the order of turns is what is checked.
/// </summary>
public sealed class WeightedTurnsFacts
{
    private static readonly UploadLane Backfill = new("backfill", 1);
    private static readonly UploadLane Nightly = new("nightly", 4);

    [Fact]
    public async Task LanesWaitingTogether_GetTurnsByWeight_EvenWhenTheLightOneQueuedFirst()
    {
        var turns = new WeightedTurns();
        await turns.EnterAsync(Backfill, CancellationToken.None); // the backfill is uploading
        var backfill = Enumerable.Range(0, 50).Select(_ => turns.EnterAsync(Backfill, CancellationToken.None)).ToList();
        var nightly = Enumerable.Range(0, 50).Select(_ => turns.EnterAsync(Nightly, CancellationToken.None)).ToList();

        var order = Grant(turns, 25, backfill, nightly);

        // First come, first served would give the backfill all 25; by weight the nightly gets 4 of every 5.
        Assert.InRange(order.Count(lane => lane == "nightly"), 19, 21);
    }

    [Fact]
    public async Task TheHeaviestWaitingLane_IsWhatTheProcessClaimsAProjectFor_WhicheverLaneAsks()
    {
        var turns = new WeightedTurns();
        await turns.EnterAsync(Backfill, CancellationToken.None); // the backfill holds the turn
        Assert.Equal(1, turns.HeaviestWaiting(Backfill));

        var nightly = turns.EnterAsync(Nightly, CancellationToken.None);
        Assert.Equal(4, turns.HeaviestWaiting(Backfill)); // its reservation serves the nightly run's uploads too

        turns.Exit(); // the nightly run's turn; nobody waits now
        await nightly;
        Assert.Equal(1, turns.HeaviestWaiting(Backfill));
    }

    [Fact]
    public async Task AnIdleLane_LeavesItsShareToOthers_AndSavesNoTurnsForWhenItComesBack()
    {
        var turns = new WeightedTurns();
        await turns.EnterAsync(Backfill, CancellationToken.None);
        var backfill = Enumerable.Range(0, 60).Select(_ => turns.EnterAsync(Backfill, CancellationToken.None)).ToList();
        var alone = Grant(turns, 30, backfill, []);
        Assert.All(alone, lane => Assert.Equal("backfill", lane)); // nobody else waits: every turn is the backfill's

        var equal = new UploadLane("other", 1);
        var other = Enumerable.Range(0, 30).Select(_ => turns.EnterAsync(equal, CancellationToken.None)).ToList();
        var shared = Grant(turns, 10, backfill, other);

        // Had it banked the 30 turns it did not use, the newcomer would take all 10.
        Assert.InRange(shared.Count(lane => lane == "backfill"), 4, 6);
    }

    [Fact]
    public async Task ACancelledWaiter_IsSkipped_AndItsLaneStillServed()
    {
        var turns = new WeightedTurns();
        await turns.EnterAsync(Backfill, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = turns.EnterAsync(Nightly, cancel.Token);
        var next = turns.EnterAsync(Nightly, CancellationToken.None);
        await cancel.CancelAsync();

        turns.Exit();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.True(next.IsCompletedSuccessfully);
    }

    /// <summary>Ends the current turn <paramref name="count"/> times and says, in order, whose turn each next one was.</summary>
    private static List<string> Grant(WeightedTurns turns, int count, List<Task> backfill, List<Task> nightly)
    {
        var order = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var (b, n) = (backfill.Count(t => t.IsCompleted), nightly.Count(t => t.IsCompleted));
            turns.Exit();
            order.Add(backfill.Count(t => t.IsCompleted) > b ? "backfill" : nightly.Count(t => t.IsCompleted) > n ? "nightly" : "none");
        }

        return order;
    }
}
