using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Worker.Costs;

namespace BatchOrchestrator.Worker.IntegrationTests.Costs;

/// <summary>The plan's caps table puts what is held on the row of the cap that holds it.</summary>
public sealed class PlanTablesFacts
{
    [Fact]
    public void WhatACapHolds_IsOnThatCapsRow_NotOnTheFirst()
    {
        var run = new CapCheck("capA", CapWindow.Run, 30, null);
        var day = new CapCheck("global", CapWindow.Day, 100, DateTimeOffset.UtcNow.Date);
        var plan = new PlanReport(
            "capA", new PlannedTier("cfg-PARSE_AGENTIC", "agentic", 10), 2, 0, 2, 0, 0, 0, 2, 20, 0.025m, 1, 10, 1,
            "held by the Day cap on global (100 credits, 0 left; next file ~10 credits)", "global/Day", 1, TimeSpan.Zero, [(run, 0m), (day, 90m)]);

        var table = PlanTables.Caps(plan);

        Assert.Equal([null, 1], table.Rows.Select(r => table.Value(r, "Files held")));
        Assert.Equal(1, table.Value(table.Rows[0], "Files it lets through"));
        Assert.StartsWith("held by the Day cap on global", (string)table.Value(table.Rows[1], "Why")!, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSummary_CountsTheFilesTheScanWouldSetAside_BesideTheOthersSeen()
    {
        var plan = new PlanReport(
            "inbox", new PlannedTier("cfg-PARSE_AGENTIC", "agentic", 10), 7, 5, 0, 0, 0, 0, 0, 0, 0m, 0, 0, 0, null, null, 0, TimeSpan.Zero, [])
        {
            SetAside = 2,
        };

        var table = PlanTables.Summary(plan);

        // 7 seen, 5 unchanged and nothing else read as two files lost: they are the two empty ones.
        Assert.Equal(2, table.Value(table.Rows[0], "Set aside"));
    }
}
