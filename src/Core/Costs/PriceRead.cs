namespace BatchOrchestrator.Core.Costs;

/// <summary>How fresh a saved configuration's price must be for what asks for it (docs/costs.md, "Tier of a configuration").</summary>
internal enum PriceRead
{
    /// <summary>A preview (<c>plan</c>, the Plan page, the reprocess preview): reserves nothing, so the cache within <c>Costs:ConfigurationRecheck</c>; nothing is written.</summary>
    Preview,

    /// <summary>
    /// Planning that prices no new version (an unchanged tree; held or failed files planned again): the cache within
    /// <c>Costs:ConfigurationRecheck</c>, so that a run of an unchanged tree asks the API nothing.
    /// </summary>
    Planning,

    /// <summary>
    /// Planning new or changed versions: read from the API every time, since what it reserves is what a cap lets through,
    /// and a configuration made dearer since the cache was filled would pass its caps at the old price.
    /// </summary>
    PlanningNewVersions,
}
