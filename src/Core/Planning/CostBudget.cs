using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Planning;

/// <summary>
/// What a source may spend now: its configuration's and fallback's tiers with their prices, and the caps
/// that apply to it (its own and the global ones), whose windows the database's clock begins where their use is read.
/// </summary>
internal sealed class CostBudget(IOptionsMonitor<CostOptions> options, TierResolver tiers, PriceModel prices)
{
    public async Task<CostPlan> PlanAsync(SourceOptions source, ProjectScope scope, PriceRead read, CancellationToken cancellationToken)
    {
        if (BatchJobTypes.IsV1(source.JobType))
        {
            // No configuration id: the tier comes from the source's own settings.
            var v1 = TierResolver.OfV1(source);
            return new CostPlan(Planned(source.JobType, v1), null, Caps(source.Name), Zone);
        }

        var primary = await TierAsync(source.JobType, source.ConfigurationId, scope, read, cancellationToken);
        PlannedTier? fallback = null;
        if (!string.IsNullOrWhiteSpace(source.FallbackConfigurationId))
        {
            fallback = await TierAsync(source.JobType, source.FallbackConfigurationId, scope, read, cancellationToken);
        }

        return new CostPlan(primary, fallback, Caps(source.Name), Zone);
    }

    /// <summary>
    /// The caps on <paramref name="source"/> (or, with null, every cap), run caps first, then day, then month; the source's
    /// before the global one. Their windows are not begun here: only what reads their use begins them, by the database's
    /// clock that stamps the reservations (<see cref="CostPlan.At"/>, <see cref="CapCheck.At"/>).
    /// </summary>
    public IReadOnlyList<CapCheck> Caps(string? source) =>
        [.. options.CurrentValue.Caps
            .Where(c => source is null || c.Scope == CapOptions.GlobalScope || c.Scope == source)
            .OrderBy(c => c.Window).ThenBy(c => c.Scope == CapOptions.GlobalScope)
            .Select(c => new CapCheck(c.Scope, c.Window, c.Credits, null))];

    /// <summary>Where the caps' days and months begin (<c>Costs:TimeZone</c>).</summary>
    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(options.CurrentValue.TimeZone);

    private async Task<PlannedTier> TierAsync(string jobType, string configurationId, ProjectScope scope, PriceRead read, CancellationToken cancellationToken)
    {
        var tier = await tiers.ResolveAsync(scope, jobType, configurationId, read, cancellationToken);
        return Planned(configurationId, tier);
    }

    private PlannedTier Planned(string configurationId, ConfigurationTier tier) =>
        new(configurationId, tier.Known ? tier.Tier : "unknown", prices.CreditsPerPage(tier));
}
