using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Persistence.IntegrationTests.Monitoring;
using BatchOrchestrator.Persistence.Migrations;

namespace BatchOrchestrator.Persistence.IntegrationTests.Migrations;

/// <summary>
/// A migration settles what an older release left reserved for good (a job that ended failed or cancelled with no
/// usage block was never settled), by the rule a follow-up now uses: such a job was billed nothing.
/// </summary>
public sealed class SettleFailedJobsWithoutUsageFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task TheMigration_SettlesFailedAndCancelledJobsWithNoBillAtZero_FreesTheirCapRoom_AndLeavesEveryOtherChargeAlone()
    {
        var run = await OpsSeed.RunAsync(Database, "docs");
        var first = await OpsSeed.BatchAsync(Database, run, "docs");
        var failed = await JobAsync(first, "failed.pdf", "FAILED", "FollowUpFailed", "Failed");
        var cancelled = await JobAsync(first, "cancelled.pdf", "cancelled", "FollowUpFailed", "Skipped"); // read as the follow-up reads it, whatever the case
        var failedAndBilled = await JobAsync(first, "billed.pdf", "FAILED", "FollowUpFailed", "Failed");
        var notBilledYet = await JobAsync(first, "parsed.pdf", "COMPLETED", "FollowedUp");
        var running = await JobAsync(first, "running.pdf", "RUNNING", "Recorded");
        await Database.ExecuteAsync("""
            insert into orchestrator.credit_charge (file_version_id, batch_id, run_id, source_name, configuration_id, tier, pages, reserved_credits)
            select fv.id, fv.batch_id, $1, 'docs', 'cfg-PARSE_AGENTIC', 'agentic', 1, 10 from orchestrator.file_version fv
            """, run);
        await Database.ExecuteAsync(
            "update orchestrator.credit_charge set billed_credits = 4, billed_pages = 1, settled_at = now() - interval '1 hour' where file_version_id = $1",
            failedAndBilled);

        // The failed file went again in a later batch, whose job is still running: that charge stays reserved.
        var second = await OpsSeed.BatchAsync(Database, run, "docs");
        await Database.ExecuteAsync("""
            insert into orchestrator.batch_result (batch_id, file_version_id, source_directory_file_id, job_id, outcome, remote_job_status, follow_up_state)
            values ($1, $2, 'dfl-again', 'pjb-again', 'Succeeded', 'RUNNING', 'Recorded')
            """, second, failed);
        await Database.ExecuteAsync("""
            insert into orchestrator.credit_charge (file_version_id, batch_id, run_id, source_name, configuration_id, tier, pages, reserved_credits)
            values ($1, $2, $3, 'docs', 'cfg-PARSE_AGENTIC', 'agentic', 1, 10)
            """, failed, second, run);
        var cap = new CapCheck(CapOptions.GlobalScope, CapWindow.Day, 100, DateTimeOffset.UtcNow.AddDays(-1));
        Assert.Equal(100m - 54m, await HeadroomAsync(cap)); // five reservations of 10, one bill of 4
        var before = await ChargesAsync();

        await Database.ExecuteAsync(Migration.Sql);

        var after = await ChargesAsync();
        Assert.Equal((0m, null), (after[(failed, first)].Credits, after[(failed, first)].Pages));
        Assert.NotNull(after[(failed, first)].Settled);
        Assert.Equal((0m, null), (after[(cancelled, first)].Credits, after[(cancelled, first)].Pages));
        Assert.NotNull(after[(cancelled, first)].Settled);
        Assert.Equal(100m - 34m, await HeadroomAsync(cap)); // the two jobs billed nothing: their 20 credits are room again
        Assert.All(
            new[] { (failedAndBilled, first), (notBilledYet, first), (running, first), (failed, second) },
            untouched => Assert.Equal(before[untouched], after[untouched]));

        await Database.ExecuteAsync(Migration.Sql); // idempotent: nothing left to settle, nothing settled again
        Assert.Equal(after, await ChargesAsync());
    }

    private static (int Version, string Name, string Sql) Migration =>
        Migrator.Embedded.Single(m => m.Name.Contains("settle_failed_jobs", StringComparison.Ordinal));

    /// <summary>A file version of <paramref name="batchId"/> whose job the follow-up last saw in <paramref name="jobStatus"/>, as the follow-up left it.</summary>
    private async Task<long> JobAsync(long batchId, string path, string jobStatus, string followUp, string fileState = "Succeeded")
    {
        var id = await OpsSeed.FileAsync(Database, batchId, "docs", path, jobStatus: jobStatus, followUp: followUp);
        await Database.ExecuteAsync("update orchestrator.file_version set state = $2 where id = $1", id, fileState);
        return id;
    }

    private async Task<decimal> HeadroomAsync(CapCheck cap) =>
        cap.Limit - (await new NpgsqlPlanPreviewStore(Database.DataSource).CapUseAsync([cap], TimeZoneInfo.Utc, Ct)).Used[0];

    private async Task<Dictionary<(long FileVersion, long Batch), (decimal? Credits, int? Pages, DateTime? Settled)>> ChargesAsync() =>
        (await Database.ListAsync(
            "select file_version_id, batch_id, billed_credits, billed_pages, settled_at from orchestrator.credit_charge",
            r => (Key: (r.GetInt64(0), r.GetInt64(1)),
                  Value: (r.IsDBNull(2) ? (decimal?)null : r.GetDecimal(2), r.IsDBNull(3) ? (int?)null : r.GetInt32(3), r.IsDBNull(4) ? (DateTime?)null : r.GetDateTime(4)))))
        .ToDictionary(c => c.Key, c => c.Value);
}
