using BatchOrchestrator.Core.Planning;

namespace BatchOrchestrator.Core.IntegrationTests.Planning;

/// <summary>
/// What a plan says a source's new files cost comes from their pages as the scan counts them (docs/costs.md, "Pages"):
/// a legacy Word document by the page count it states, not by its size.
/// </summary>
public sealed class PlanPagesFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(server);

    [Fact]
    public async Task ALegacyWordDocument_IsCostedByThePagesItStates_NotByItsSize()
    {
        // A Word 97 file of 9,728 bytes that states 10 pages: by the size rule, one page.
        File.Copy(Repository.PathOf("tests/Core.Tests/Costs/LegacyOffice/ten-pages-stated.doc"), Path.Combine(Harness.SourcePath, "report.doc"));

        var plan = await Harness.Get<PlanPreview>().PreviewAsync(Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0], Ct);

        // cfg-PARSE_AGENTIC: 10 credits a page.
        Assert.Equal((1, 100m), (plan.NewOrChanged, plan.Credits));
    }
}
