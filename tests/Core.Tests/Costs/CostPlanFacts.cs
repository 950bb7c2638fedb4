using BatchOrchestrator.Core.Planning;

namespace BatchOrchestrator.Core.Tests.Costs;

/// <summary>Which versions planning takes under caps: first come first served, approvals past the caps, escalations at the fallback's price.</summary>
public sealed class CostPlanFacts
{
    private static readonly PlannedTier Fast = new("cfg-fast", "fast", 1);
    private static readonly PlannedTier Plus = new("cfg-plus", "agentic_plus", 45);

    [Fact]
    public void Allocate_TakesInOrderUntilACapHasNoRoom_ThenHoldsEveryLaterVersion_EvenSmallOnes()
    {
        var plan = new CostPlan(Fast, null, [new CapCheck("docs", CapWindow.Run, 100, null), new CapCheck(CapOptions.GlobalScope, CapWindow.Day, 35, DateTimeOffset.UnixEpoch)]);
        PlanCandidate[] candidates = [Candidate(1, 10), Candidate(2, 20), Candidate(3, 10), Candidate(4, 1)];

        var allocation = plan.Allocate(candidates, [0m, 0m]);

        Assert.Equal([1L, 2L], allocation.Taken.Select(t => t.Id));
        Assert.Equal([3L, 4L], allocation.Held.Select(h => h.Id));
        Assert.All(allocation.Held, h => Assert.Equal("global/Day", h.Cap));
        Assert.Contains("5 left", allocation.Held[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Allocate_HoldsAVersionOverAWholeCapAlone_AndGoesOnTakingTheVersionsAfterIt()
    {
        // A document that claims millions of pages, or a scan of thousands, before every file of the next nights.
        var plan = new CostPlan(Fast, null, [new CapCheck("docs", CapWindow.Day, 100, DateTimeOffset.UnixEpoch)]);
        PlanCandidate[] candidates = [Candidate(1, 10), Candidate(2, 5_000_000), Candidate(3, 20), Candidate(4, 80), Candidate(5, 1)];

        var allocation = plan.Allocate(candidates, [0m]);

        Assert.Equal([1L, 3L], allocation.Taken.Select(t => t.Id));
        Assert.Equal([(2L, true), (4L, false), (5L, false)], allocation.Held.Select(h => (h.Id, h.FitsNoWindow)));
        Assert.Contains("only an operator's approval sends it", allocation.Held[0].Reason, StringComparison.Ordinal);
        Assert.Contains("70 left; next file ~80 credits); goes on when the window turns over", allocation.Held[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void WindowStart_RefusesADayCapNotBegunByTheDatabasesClock_InsteadOfSummingItAsARunCap()
    {
        var day = new CapCheck("docs", CapWindow.Day, 10, null);

        Assert.Throws<InvalidOperationException>(() => day.WindowStart);
        Assert.Null(new CapCheck("docs", CapWindow.Run, 10, null).WindowStart);
        Assert.Equal(
            new DateTimeOffset(2026, 3, 31, 0, 0, 0, TimeSpan.Zero),
            day.At(new DateTimeOffset(2026, 3, 31, 22, 0, 0, TimeSpan.Zero), TimeZoneInfo.Utc).WindowStart);
    }

    [Theory]
    [InlineData(CapWindow.Run, 15, "that is more than the whole cap, so no Run window will take it: only an operator's approval sends it (or a higher limit)")]
    [InlineData(CapWindow.Run, 25, "goes on with the source's next run")]
    [InlineData(CapWindow.Day, 15, "that is more than the whole cap, so no Day window will take it: only an operator's approval sends it (or a higher limit)")]
    [InlineData(CapWindow.Day, 25, "goes on when the window turns over")]
    public void Allocate_SaysOnlyAnApprovalSendsAFileOverTheWholeCap_NotThatItGoesOnLater(CapWindow window, int limit, string goesOn)
    {
        var plan = new CostPlan(Fast, null, [new CapCheck("docs", window, limit, window == CapWindow.Run ? null : DateTimeOffset.UnixEpoch)]);

        var allocation = plan.Allocate([Candidate(1, 20)], [10m]); // 20 credits over what is left either way

        var held = Assert.Single(allocation.Held);
        Assert.Contains($"next file ~20 credits); {goesOn}", held.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Allocate_CountsWhatTheWindowAlreadyUsed_TakesApprovedVersionsPastTheCaps_AndPricesEscalationsAtTheFallback()
    {
        var plan = new CostPlan(Fast, Plus, [new CapCheck("docs", CapWindow.Month, 100, DateTimeOffset.UnixEpoch)]);
        PlanCandidate[] candidates = [Candidate(1, 2, escalated: true), Candidate(2, 50, approved: true), Candidate(3, 1)];

        var allocation = plan.Allocate(candidates, [10m]);

        Assert.Equal(new Reservation(1, Plus, 2, 90, Escalation: true, Approved: false), allocation.Taken[0]);
        Assert.True(allocation.Taken[1].Approved);
        Assert.Equal([3L], allocation.Held.Select(h => h.Id)); // 10 + 90 + 50 left nothing
    }

    [Fact]
    public void Allocate_EstimatesAVersionWithoutPagesBySize()
    {
        var plan = new CostPlan(Fast, null, []);

        var allocation = plan.Allocate([new PlanCandidate(1, "a/b.txt", 9_001, null, false, false)], []);

        Assert.Equal(4, allocation.Taken[0].Pages);
    }

    private static PlanCandidate Candidate(long id, int pages, bool escalated = false, bool approved = false) =>
        new(id, $"f{id}.pdf", 1_000, pages, escalated, approved);
}
