using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Worker.IntegrationTests.Costs;

/// <summary>
/// The cap headroom gauge begins a Day cap's window as planning does, by the database's clock (docs/costs.md, "Caps"):
/// an instance whose own clock is already in the next day must not show a whole cap of room that planning refuses.
/// </summary>
public sealed class CapHeadroomClockFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task TheHeadroomGauge_ShowsWhatTheDayLeft_WhenThisInstancesClockIsAlreadyInTheNextDay()
    {
        var clock = new ShiftedTime();
        await using var h = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?>
            {
                // cfg-PARSE_AGENTIC: 10 credits a page, and each small text file is one page.
                ["Costs:Caps:0:Source"] = PipelineHarness.SourceName,
                ["Costs:Caps:0:Window"] = "Day",
                ["Costs:Caps:0:Credits"] = "25",
            },
            services: s => s.AddSingleton<TimeProvider>(clock));
        h.WriteFile("a.txt", "alpha");
        h.WriteFile("b.txt", "beta");
        await h.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        var now = DateTimeOffset.UtcNow;
        clock.Offset = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero) - now + TimeSpan.FromMinutes(1);
        var gauges = new CostGauges(h.Get<CostBudget>(), h.Get<IPlanPreviewStore>(), new CostQueries(h.Get<NpgsqlDataSource>()));

        var rows = await gauges.ReadAsync([PipelineHarness.SourceName], Ct);

        // The database's day holds the run's 20 credits: 5 are left, as the next planning will find.
        Assert.Equal(5d, Assert.Single(rows, r => r.Metric == CostGauges.Headroom).Value);
    }
}
