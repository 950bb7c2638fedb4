using BatchOrchestrator.Persistence.IntegrationTests.Monitoring;
using BatchOrchestrator.Persistence.Migrations;

namespace BatchOrchestrator.Persistence.IntegrationTests.Migrations;

/// <summary>
/// A migration settles what an older release left reserved for good (batches given up before they were submitted
/// did not release), by the rule every end of a batch uses: an ended batch's versions that got no job in it were billed nothing.
/// </summary>
public sealed class SettleGivenUpBatchesFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task TheMigration_SettlesAnEndedBatchsVersionsWithoutAJob_AndLeavesJobsAndOpenBatchesReserved()
    {
        var run = await OpsSeed.RunAsync(Database, "docs");
        var givenUp = await OpsSeed.FileAsync(Database, await OpsSeed.BatchAsync(Database, run, "docs", state: "ResultsRecorded"), "docs", "refused.pdf", outcome: "Failed");
        var billedLater = await OpsSeed.FileAsync(Database, await OpsSeed.BatchAsync(Database, run, "docs"), "docs", "parsed.pdf");
        var stillOpen = await OpsSeed.FileAsync(Database, await OpsSeed.BatchAsync(Database, run, "docs", state: "Uploading", finished: null), "docs", "sending.pdf", outcome: "Failed");
        await Database.ExecuteAsync("""
            insert into orchestrator.credit_charge (file_version_id, batch_id, run_id, source_name, configuration_id, tier, pages, reserved_credits)
            select fv.id, fv.batch_id, $1, 'docs', 'cfg-PARSE_AGENTIC', 'agentic', 1, 10 from orchestrator.file_version fv
            """, run);

        await Database.ExecuteAsync(Migrator.Embedded.Single(m => m.Name.Contains("settle_given_up", StringComparison.Ordinal)).Sql);

        var charges = (await Database.ListAsync(
            "select file_version_id, billed_credits, settled_at is not null from orchestrator.credit_charge",
            r => (r.GetInt64(0), r.IsDBNull(1) ? (decimal?)null : r.GetDecimal(1), r.GetBoolean(2)))).ToDictionary(c => c.Item1, c => (c.Item2, c.Item3));
        Assert.Equal((0m, true), charges[givenUp]);
        Assert.Equal((null, false), charges[billedLater]); // its job's follow-up bills it
        Assert.Equal((null, false), charges[stillOpen]);
    }
}
