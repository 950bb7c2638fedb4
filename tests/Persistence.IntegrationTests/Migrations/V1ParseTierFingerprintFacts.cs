using BatchOrchestrator.Persistence.IntegrationTests.Monitoring;
using BatchOrchestrator.Persistence.Migrations;

namespace BatchOrchestrator.Persistence.IntegrationTests.Migrations;

/// <summary>
/// The migration that puts a v1_parse batch's tier in its fingerprint reads the tier batches planned before it
/// asked for from the tier they were priced at, where that names one; every other batch keeps its fingerprint.
/// </summary>
public sealed class V1ParseTierFingerprintFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task TheMigration_GivesOlderV1ParseBatchesTheTierTheyWerePricedAt_AndTheServicesDefaultWhenTheyAskedForNone()
    {
        var run = await OpsSeed.RunAsync(Database, "docs");
        var fast = await OlderBatchAsync(run, "v1_parse", "fast");
        var agenticPlus = await OlderBatchAsync(run, "v1_parse", "agentic_plus");
        var askedForNone = await OlderBatchAsync(run, "v1_parse", "unknown");
        var beforeTiers = await OlderBatchAsync(run, "v1_parse", "default");
        var remoteOnly = await OlderBatchAsync(run, "v1_parse", null);
        var classify = await OlderBatchAsync(run, "v1_classify", "default");
        var v2 = await OlderBatchAsync(run, "parse_v2", "fast");

        await Database.ExecuteAsync(Migration.Sql);

        var after = await FingerprintsAsync();
        Assert.Equal(("fast", "v1_parse fast"), after[fast]);
        Assert.Equal(("agentic_plus", "v1_parse agentic_plus"), after[agenticPlus]);
        Assert.Equal((null, "v1_parse"), after[askedForNone]);
        Assert.Equal((null, "v1_parse"), after[beforeTiers]);
        Assert.Equal((null, "v1_parse"), after[remoteOnly]);
        Assert.Equal((null, "v1_classify"), after[classify]);
        Assert.Equal((null, "parse_v2 cfg-PARSE_AGENTIC"), after[v2]);

        await Database.ExecuteAsync(Migration.Sql); // again over its own result: nothing changes
        Assert.Equal(after, await FingerprintsAsync());
    }

    private static (int Version, string Name, string Sql) Migration =>
        Migrator.Embedded.Single(m => m.Name.Contains("v1_parse_tier_fingerprint", StringComparison.Ordinal));

    /// <summary>A batch as a release before the migration left it: priced at <paramref name="tier"/>, no requested tier recorded.</summary>
    private async Task<long> OlderBatchAsync(long run, string jobType, string? tier)
    {
        var id = await OpsSeed.BatchAsync(Database, run, "docs", jobType: jobType);
        await Database.ExecuteAsync("update orchestrator.batch set tier = nullif($2, '') where id = $1", id, tier ?? "");
        return id;
    }

    private async Task<Dictionary<long, (string? Tier, string Fingerprint)>> FingerprintsAsync() =>
        (await Database.ListAsync(
            "select id, v1_parse_tier, configuration_fingerprint from orchestrator.batch",
            r => (r.GetInt64(0), (r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2)))))
        .ToDictionary(b => b.Item1, b => b.Item2);
}
