using System.Globalization;
using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Operations;

/// <summary>
/// What sending some file versions again would cost, for the reprocess preview: their stored pages (the
/// size rule where none were counted) at the tier of the source's current configuration. Caps are not
/// applied here: a reprocess goes through planning, where they hold what does not fit (docs/costs.md).
/// </summary>
internal sealed class ReprocessCost(
    IOptionsMonitor<SourcesOptions> sources,
    CostBudget budget,
    ProjectScopes scopes,
    IPlanPreviewStore store,
    PriceModel prices) : IReprocessCostEstimator
{
    public async Task<string?> EstimateAsync(string source, IReadOnlyList<long> fileVersionIds, CancellationToken cancellationToken)
    {
        var options = sources.CurrentValue.Find(source);
        if (options is null)
        {
            return null;
        }

        var cost = await budget.PlanAsync(options, scopes.For(options), PriceRead.Preview, cancellationToken);
        var candidates = await store.CandidatesAsync(fileVersionIds, cancellationToken);
        var taken = new CostPlan(cost.Primary, null, []).Allocate(candidates, []).Taken;
        var credits = taken.Sum(r => r.Credits);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"about {credits:#,0.##} credits (USD {prices.Usd(credits):0.00}; {taken.Sum(r => (long)r.Pages):#,0} pages at the {cost.Primary.Tier} tier of {cost.Primary.ConfigurationId})");
    }
}
