using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Persistence.Leases;

namespace BatchOrchestrator.Persistence.IntegrationTests;

/// <summary>Rows a test starts from, written with plain SQL so the store under test is the only code exercised.</summary>
internal static class Seed
{
    /// <summary>New versions of the source, after any seeded before (so a source can be seeded twice).</summary>
    public static Task DiscoveredVersionsAsync(TestDatabase database, string source, int count) =>
        database.ExecuteAsync(
            """
            insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state)
            select $1, 'f' || i || '.txt', i, 1000, sha256(i::text::bytea), encode(sha256(i::text::bytea), 'hex'), 'Discovered'
            from (select count(*) as n from orchestrator.file_version where source_name = $1) seeded, generate_series(seeded.n + 1, seeded.n + $2) as i
            """,
            source,
            count);

    /// <summary>The batch's lease, taken as its step takes it (over any earlier holder), for the stores' fenced writes.</summary>
    public static Task<Lease> BatchLeaseAsync(TestDatabase database, long batchId, CancellationToken ct) => LeaseAsync(database, BatchLease.Name(batchId), ct);

    /// <summary>The lease <paramref name="name"/>, taken over any earlier holder, as a step or a follow-up takes it.</summary>
    public static async Task<Lease> LeaseAsync(TestDatabase database, string name, CancellationToken ct)
    {
        await database.ExecuteAsync("update orchestrator.lease set expires_at = '-infinity' where name = $1", name);
        return (await new NpgsqlLeaseStore(database.DataSource).TryAcquireAsync(name, "a step", TimeSpan.FromMinutes(5), ct))!;
    }

    public static Task<long> RunAsync(TestDatabase database, string source) =>
        database.ScalarAsync<long>("insert into orchestrator.run (source_name, trigger, state) values ($1, 'Manual', 'Active') returning id", source);

    /// <summary>A run that found <paramref name="files"/> new versions and planned them into one batch, by the production stores.</summary>
    public static async Task<long> PlannedBatchAsync(TestDatabase database, string source, int files, CancellationToken ct)
    {
        await DiscoveredVersionsAsync(database, source, files);
        var runs = new NpgsqlRunStore(database.DataSource, Microsoft.Extensions.Options.Options.Create(new Core.Costs.CostOptions()));
        var runId = await runs.StartRunAsync(source, RunTrigger.Manual, ct);
        var plan = new BatchPlan(source, "parse_v2", "cfg-PARSE_AGENTIC", 1_000);
        var batchId = (await new NpgsqlBatchPlanStore(database.DataSource).PlanBatchesAsync(runId, plan, ct)).BatchIds.Single();
        await runs.FinishScanAsync(runId, new ScanSummary(files, files, 0, 0, files, files, 0), 1, ct);
        return batchId;
    }
}
