using BatchOrchestrator.Core.Costs;

namespace BatchOrchestrator.Persistence.Costs;

/// <summary>Saved configurations' tiers in <c>orchestrator.configuration_tier</c>, per project.</summary>
internal sealed class NpgsqlConfigurationTierStore(NpgsqlDataSource dataSource) : IConfigurationTierStore
{
    public async Task<CachedTier?> GetAsync(string projectKey, string configurationId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select job_type, tier, parse_tier, known, version, fetched_at, page_tiers, extra_credits_per_page from orchestrator.configuration_tier
            where project_key = $1 and configuration_id = $2
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = projectKey });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = configurationId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var version = reader.IsDBNull(4) ? null : reader.GetString(4);
        var tier = new ConfigurationTier(
            reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetBoolean(3), version, $"saved configuration, version {version} (cached)",
            reader.GetFieldValue<string[]>(6), reader.GetDecimal(7));
        return new CachedTier(tier, reader.GetFieldValue<DateTimeOffset>(5));
    }

    public async Task SaveAsync(string projectKey, string configurationId, ConfigurationTier tier, DateTimeOffset fetchedAt, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            insert into orchestrator.configuration_tier
                (project_key, configuration_id, job_type, tier, parse_tier, known, version, fetched_at, page_tiers, extra_credits_per_page)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            on conflict (project_key, configuration_id) do update
                set job_type = excluded.job_type, tier = excluded.tier, parse_tier = excluded.parse_tier, known = excluded.known,
                    version = excluded.version, fetched_at = excluded.fetched_at, page_tiers = excluded.page_tiers,
                    extra_credits_per_page = excluded.extra_credits_per_page
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = projectKey });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = configurationId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tier.JobType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tier.Tier });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = tier.ParseTier, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = tier.Known });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = tier.Version, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = fetchedAt });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. tier.PageTiers ?? []] });
        command.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = tier.ExtraCreditsPerPage });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ExpireAsync(string configurationId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("update orchestrator.configuration_tier set fetched_at = '-infinity' where configuration_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = configurationId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
