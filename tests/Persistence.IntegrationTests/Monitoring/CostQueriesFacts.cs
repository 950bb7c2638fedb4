using System.Globalization;
using BatchOrchestrator.Core.Costs;

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

        var table = await new CostQueries(Database.DataSource).ByDayAsync(30, 1.25m, TimeZoneInfo.Utc, Ct);

        var row = table.Rows.Single();
        Assert.Equal((4L, 1L), ((long)table.Value(row, "Attempts")!, (long)table.Value(row, "Escalations")!));
    }

    [Fact]
    public async Task Drift_NamesTheJobOfTheChargeThatDrifted_NotTheVersionsLaterOne()
    {
        // A mirror batches every file again: the drift was the first batch's job, and the version's job is the second's now.
        var (run, first, file, second) = await OpsSeed.SentTwiceAsync(Database, "docs", "a.pdf");
        await Database.ExecuteAsync(
            """
            insert into orchestrator.batch_result (batch_id, file_version_id, source_directory_file_id, job_id, outcome)
            values ($1, $2, 'dfl-later', 'pjb-later', 'Succeeded')
            """,
            second, file);
        await Database.ExecuteAsync("update orchestrator.file_version set batch_id = $2, job_id = 'pjb-later' where id = $1", file, second);
        await Database.ExecuteAsync(
            """
            insert into orchestrator.credit_charge (file_version_id, batch_id, run_id, source_name, configuration_id, tier, pages, reserved_credits, billed_credits, settled_at, drift)
            values ($1, $2, $3, 'docs', 'cfg-X', 'fast', 1, 1, 9, now(), 'billed 9 credits, 9x the estimate')
            """,
            file, first, run);

        var table = await new CostQueries(Database.DataSource).DriftAsync(10, Ct);

        Assert.Equal("pjb-a.pdf", table.Value(table.Rows.Single(), "Job reference"));
    }

    [Fact]
    public async Task Days_AreTheDayCapsDays_InCostsTimeZone_NotUtcDays()
    {
        // At UTC+13 a day begins at 11:00 UTC: a second before and at the zone's midnight are one UTC day, two of the
        // Day cap's (CapWindows), and the page is to add up what each Day cap counted.
        var zone = TimeZoneInfo.CreateCustomTimeZone("Test+13", TimeSpan.FromHours(13), "Test+13", "Test+13");
        var now = new DateTimeOffset(DateTime.SpecifyKind(await Database.ScalarAsync<DateTime>("select now()"), DateTimeKind.Utc));
        var midnight = CapWindows.Start(CapWindow.Day, now, zone)!.Value;
        var run = await OpsSeed.RunAsync(Database, "docs");
        var batch = await OpsSeed.BatchAsync(Database, run, "docs");
        foreach (var (path, at) in new[] { ("before.pdf", midnight.AddSeconds(-1)), ("at.pdf", midnight) })
        {
            var file = await OpsSeed.FileAsync(Database, batch, "docs", path);
            await Database.ExecuteAsync(
                """
                insert into orchestrator.credit_charge (file_version_id, batch_id, run_id, source_name, configuration_id, tier, pages, reserved_credits, reserved_at)
                values ($1, $2, $3, 'docs', 'cfg-X', 'fast', 1, 1, $4)
                """,
                file, batch, run, at);
        }

        var table = await new CostQueries(Database.DataSource).ByDayAsync(30, 1.25m, zone, Ct);

        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        Assert.Equal(
            [(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), 1L), (today.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), 1L)],
            table.Rows.Select(r => ((string)table.Value(r, "Day")!, (long)table.Value(r, "Attempts")!)));
    }

    [Fact]
    public async Task FilesHeld_AreTheConfiguredSourcesOnes_AsTheGaugeAndNeedsAPersonCountThem()
    {
        // A removed source's held files are history: 'approve' would only queue a run of it, which is skipped.
        await OpsSeed.HeldAsync(Database, "docs", await OpsSeed.RunAsync(Database, "docs", state: "NoChanges"), 2);
        await OpsSeed.HeldAsync(Database, "removed", await OpsSeed.RunAsync(Database, "removed", state: "NoChanges"), 3);

        var table = await new CostQueries(Database.DataSource).HeldAsync(["docs"], CancellationToken.None);
        var attention = await new AttentionQueries(Database.DataSource).NeedsAPersonAsync(
            [("docs", "parse_v2 cfg-PARSE_AGENTIC", 3)], TimeSpan.FromDays(1), CancellationToken.None);

        Assert.Equal([("docs", 2L)], table.Rows.Select(r => ((string)table.Value(r, "Source")!, (long)table.Value(r, "Files held")!)));
        Assert.Equal(2L, attention.Value(attention.Rows.Single(), "Count"));
    }
}
