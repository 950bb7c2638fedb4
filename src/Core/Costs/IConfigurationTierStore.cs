namespace BatchOrchestrator.Core.Costs;

/// <summary>Saved configurations' tiers as last read from the API, per project, with when they were read.</summary>
internal interface IConfigurationTierStore
{
    Task<CachedTier?> GetAsync(string projectKey, string configurationId, CancellationToken cancellationToken);

    Task SaveAsync(string projectKey, string configurationId, ConfigurationTier tier, DateTimeOffset fetchedAt, CancellationToken cancellationToken);

    /// <summary>Makes the next resolution read the configuration from the API again (it billed at another tier than cached).</summary>
    Task ExpireAsync(string configurationId, CancellationToken cancellationToken);
}

/// <summary>A cached tier and when it was read.</summary>
internal sealed record CachedTier(ConfigurationTier Tier, DateTimeOffset FetchedAt);
