namespace BatchOrchestrator.Persistence.IntegrationTests.Monitoring;

/// <summary>The Costs page's figures per source and day.</summary>
public sealed class CostQueriesFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task Escalations_CountFilesSentToTheFallback_OnceEach_EvenWhenAnOperatorSentOneThereAgain()
    {
        // a.pdf failed at the cheap tier and went to the fallback; an operator's retry sent it to the fallback once more.
        var run = await OpsSeed.RunAsync(Database, "docs");
        var first = await OpsSeed.BatchAsync(Database, run, "docs");
        var a = await OpsSeed.FileAsync(Database, first, "docs", "a.pdf", outcome: "Failed", errorClass: "Permanent");
        var b = await OpsSeed.FileAsync(Database, first, "docs", "b.pdf");
        var fallback = await OpsSeed.BatchAsync(Database, run, "docs");
        var again = await OpsSeed.BatchAsync(Database, run, "docs");
        foreach (var (file, batch, escalation) in new[] { (a, first, false), (b, first, false), (a, fallback, true), (a, again, true) })
        {
            await Database.ExecuteAsync(
                """
                insert into orchestrator.credit_charge (file_version_id, batch_id, run_id, source_name, configuration_id, tier, pages, reserved_credits, escalation)
                values ($1, $2, $3, 'docs', 'cfg-X', 'fast', 1, 1, $4)
                """,
                file, batch, run, escalation);
        }

        var table = await new CostQueries(Database.DataSource).ByDayAsync(30, 1.25m, Ct);

        var row = table.Rows.Single();
        Assert.Equal((4L, 1L), ((long)table.Value(row, "Attempts")!, (long)table.Value(row, "Escalations")!));
    }
}
