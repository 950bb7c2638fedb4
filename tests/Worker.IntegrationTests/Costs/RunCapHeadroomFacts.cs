using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Worker.IntegrationTests.Costs;

/// <summary>
/// A Run cap's headroom gauge is what the latest run in its scope left (docs/costs.md, "Metrics"): a run that found
/// nothing to send is the latest run too, and left the whole cap.
/// </summary>
public sealed class RunCapHeadroomFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task TheHeadroomGauge_ShowsTheWholeCap_AfterARunThatReservedNothing_NotWhatAnEarlierRunLeft()
    {
        await using var h = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?>
            {
                // cfg-PARSE_AGENTIC: 10 credits a page, and each small text file is one page.
                ["Costs:Caps:0:Source"] = PipelineHarness.SourceName,
                ["Costs:Caps:0:Window"] = "Run",
                ["Costs:Caps:0:Credits"] = "25",
            });
        var gauges = new CostGauges(h.Get<CostBudget>(), h.Get<IPlanPreviewStore>(), new CostQueries(h.Get<NpgsqlDataSource>()));
        h.WriteFile("a.txt", "alpha");
        h.WriteFile("b.txt", "beta");
        await h.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        Assert.Equal(5d, Assert.Single(await gauges.ReadAsync([PipelineHarness.SourceName], Ct), r => r.Metric == CostGauges.Headroom).Value);

        await h.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct); // nothing new: it reserves nothing

        Assert.Equal(2L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.run"));
        // Left at 5 (or at 0 after a run that used it all), the gauge and its alert would say the cap is nearly used up
        // until some later run reserves anything, though the next run may spend all of it.
        Assert.Equal(25d, Assert.Single(await gauges.ReadAsync([PipelineHarness.SourceName], Ct), r => r.Metric == CostGauges.Headroom).Value);
    }
}
