using BatchOrchestrator.Persistence.Migrations;

namespace BatchOrchestrator.Persistence.IntegrationTests.Migrations;

/// <summary>
/// The migration that caches what a saved configuration's page may bill beyond its tier (docs/costs.md, "Tier of a
/// configuration") has every tier cached before it read again: those were read without the options that price it.
/// </summary>
public sealed class ConfigurationPagePricesFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task TheMigration_HasEveryKnownCachedTierReadAgainAtTheNextPlanning()
    {
        await Database.ExecuteAsync("""
            insert into orchestrator.configuration_tier (project_key, configuration_id, job_type, tier, known, version, fetched_at)
            values ('default', 'cfg-fast-with-rules', 'parse_v2', 'fast', true, 'v1', now()),
                   ('default', 'cfg-no-tier', 'extract_v2', 'unknown', false, 'v1', now())
            """);

        await Database.ExecuteAsync(Migration.Sql);
        await Database.ExecuteAsync(Migration.Sql); // again over its own result: it still stands

        Assert.Equal(
            ["cfg-fast-with-rules true {} 0", "cfg-no-tier false {} 0"],
            await Database.ListAsync(
                "select configuration_id || ' ' || (fetched_at = '-infinity') || ' ' || page_tiers::text || ' ' || extra_credits_per_page from orchestrator.configuration_tier order by configuration_id",
                r => r.GetString(0)));
    }

    private static (int Version, string Name, string Sql) Migration =>
        Migrator.Embedded.Single(m => m.Name.Contains("configuration_page_prices", StringComparison.Ordinal));
}
