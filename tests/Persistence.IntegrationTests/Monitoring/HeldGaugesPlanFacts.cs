using System.Text.Json;

namespace BatchOrchestrator.Persistence.IntegrationTests.Monitoring;

/// <summary>
/// The held-files gauges are read at every refresh of the metrics (docs/performance.md, "The gauges at scale"): on a table
/// large enough for the planner to choose freely, they read the few held versions, never every version.
/// </summary>
public sealed class HeldGaugesPlanFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        // 60,000 versions over two sources, every thousandth held by a cap under the run that planned it.
        await Database.ExecuteAsync("""
            insert into orchestrator.run (id, source_name, trigger, state) overriding system value values (1, 'docs', 'Manual', 'Completed');
            insert into orchestrator.file_version (id, source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, held_cap, held_run_id)
            overriding system value
            select i, case when i % 2 = 0 then 'docs' else 'other' end, 'f' || i || '.pdf', 1, i, sha256(int8send(i)), 'k' || i,
                   case when i % 1000 = 0 then 'Held' else 'Succeeded' end, case when i % 1000 = 0 then 'global/Day' end,
                   case when i % 1000 = 0 then 1 end
            from generate_series(1, 60000) i;
            analyze orchestrator.file_version;
            """);
    }

    [Fact]
    public async Task HeldBySource_ReadsTheHeldVersionsAlone()
    {
        Assert.DoesNotContain("file_version", await SeqScansAsync(CostQueries.HeldBySourceSql, new NpgsqlParameter<string> { TypedValue = "Held" }));
        Assert.Equal([("docs", 60.0)], await new CostQueries(Database.DataSource).HeldBySourceAsync(Ct));
    }

    [Fact]
    public async Task HeldByCap_ReadsTheHeldVersionsAlone()
    {
        var sources = new NpgsqlParameter<string[]> { TypedValue = ["docs", "other"] };
        Assert.DoesNotContain("file_version", await SeqScansAsync(CostQueries.HeldByCapSql, new NpgsqlParameter<string> { TypedValue = "Held" }, sources));
        Assert.Equal(60.0, (await new CostQueries(Database.DataSource).HeldByCapAsync(["docs", "other"], Ct))["global/Day"]);
    }

    private async Task<List<string>> SeqScansAsync(string sql, params NpgsqlParameter[] parameters)
    {
        await using var command = Database.DataSource.CreateCommand("explain (format json) " + sql);
        command.Parameters.AddRange(parameters);
        using var plan = JsonDocument.Parse((string)(await command.ExecuteScalarAsync(Ct))!);
        return [.. SeqScans(plan.RootElement)];
    }

    /// <summary>The tables the plan reads whole, wherever in it.</summary>
    private static IEnumerable<string> SeqScans(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => element.EnumerateArray().SelectMany(SeqScans).ToList(),
        JsonValueKind.Object => (element.TryGetProperty("Node Type", out var type) && type.GetString() == "Seq Scan"
                ? [element.GetProperty("Relation Name").GetString()!]
                : Array.Empty<string>())
            .Concat(element.EnumerateObject().SelectMany(p => SeqScans(p.Value))).ToList(),
        _ => [],
    };
}
