using BatchOrchestrator.Persistence.IntegrationTests.Monitoring;
using BatchOrchestrator.Persistence.Migrations;

namespace BatchOrchestrator.Persistence.IntegrationTests.Migrations;

/// <summary>
/// A migration settles the charges an older release left waiting for a bill that never comes: jobs a follow-up saw
/// finish whose answer reported no usage (every v1 classification). Their reservation stays their charge.
/// </summary>
public sealed class SettleFinishedJobsWithoutUsageFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task TheMigration_SettlesFinishedJobsWithNoBill_KeepingTheirReservation_AndLeavesEveryOtherChargeAlone()
    {
        var run = await OpsSeed.RunAsync(Database, "docs");
        var batch = await OpsSeed.BatchAsync(Database, run, "docs");
        var classified = await OpsSeed.FileAsync(Database, batch, "docs", "letter.pdf", jobStatus: "completed", followUp: "FollowedUp");
        var billed = await OpsSeed.FileAsync(Database, batch, "docs", "parsed.pdf", jobStatus: "COMPLETED", followUp: "FollowedUp");
        var running = await OpsSeed.FileAsync(Database, batch, "docs", "running.pdf", jobStatus: "RUNNING", followUp: "Recorded");
        await Database.ExecuteAsync("""
            insert into orchestrator.credit_charge (file_version_id, batch_id, run_id, source_name, configuration_id, tier, pages, reserved_credits)
            select fv.id, fv.batch_id, $1, 'docs', 'cfg-PARSE_AGENTIC', 'agentic', 1, 10 from orchestrator.file_version fv
            """, run);
        await Database.ExecuteAsync(
            "update orchestrator.credit_charge set billed_credits = 4, billed_pages = 1, settled_at = now() - interval '1 hour' where file_version_id = $1", billed);
        var before = await ChargesAsync();

        await Database.ExecuteAsync(Migration.Sql);

        var after = await ChargesAsync();
        Assert.Equal((null, 10m), (after[classified].Credits, after[classified].Reserved));
        Assert.NotNull(after[classified].Settled);
        Assert.Equal(before[billed], after[billed]);
        Assert.Equal(before[running], after[running]);

        await Database.ExecuteAsync(Migration.Sql); // idempotent
        Assert.Equal(after, await ChargesAsync());
    }

    private static (int Version, string Name, string Sql) Migration =>
        Migrator.Embedded.Single(m => m.Name.Contains("settle_finished_jobs", StringComparison.Ordinal));

    private async Task<Dictionary<long, (decimal? Credits, decimal Reserved, DateTime? Settled)>> ChargesAsync() =>
        (await Database.ListAsync(
            "select file_version_id, billed_credits, reserved_credits, settled_at from orchestrator.credit_charge",
            r => (Key: r.GetInt64(0), Value: (r.IsDBNull(1) ? (decimal?)null : r.GetDecimal(1), r.GetDecimal(2), r.IsDBNull(3) ? (DateTime?)null : r.GetDateTime(3)))))
        .ToDictionary(c => c.Key, c => c.Value);
}
