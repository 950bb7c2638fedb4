using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Persistence.FollowUp;

namespace BatchOrchestrator.Persistence.IntegrationTests.FollowUp;

/// <summary>
/// The follow-up's writes under its lease are fenced (docs/reliability.md, "Fencing"): a holder whose lease was taken over
/// is refused each of them whole, so its stale look sets back none of what the new holder wrote.
/// </summary>
public sealed class FollowUpStoreFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private NpgsqlFollowUpStore Store => new(Database.DataSource);

    [Fact]
    public async Task TheFollowUpsWrites_OfAHolderWhoseLeaseWasTakenOver_AreRefused_AndChangeNothing()
    {
        var batchId = await Seed.PlannedBatchAsync(Database, "docs", files: 1, Ct);
        var versionId = await Database.ScalarAsync<long>("select id from orchestrator.file_version where batch_id = $1", batchId);
        await Database.ExecuteAsync(
            """
            insert into orchestrator.credit_charge (file_version_id, batch_id, run_id, source_name, configuration_id, tier, pages, reserved_credits)
            select v.id, b.id, b.run_id, b.source_name, 'cfg-X', 'agentic', 1, 10
            from orchestrator.file_version v join orchestrator.batch b on b.id = v.batch_id
            where b.id = $1 and not exists (select 1 from orchestrator.credit_charge c where c.batch_id = b.id)
            """,
            batchId);
        await Database.ExecuteAsync("update orchestrator.credit_charge set bill_look_at = now(), unbilled_since = now() where batch_id = $1", batchId);
        await Database.ExecuteAsync("update orchestrator.batch set follow_up_next_at = null, follow_up_checks = 0 where id = $1", batchId);
        var stale = await Seed.LeaseAsync(Database, BatchLease.FollowUpName(batchId), Ct);
        var holder = await Seed.LeaseAsync(Database, BatchLease.FollowUpName(batchId), Ct); // its lease expired, and another look took it over
        var later = DateTimeOffset.UtcNow.AddHours(1);
        var billed = new FollowUpOutcome(0, versionId, FollowUpState.FollowedUp, "COMPLETED", false, null, Charge: new BilledCharge(batchId, 12m, 1, "agentic", null));
        var bill = new LateBillOutcome(versionId, new BilledCharge(batchId, 12m, 1, "agentic", null), null);

        await Assert.ThrowsAsync<LeaseLostException>(() => Store.SaveAsync([billed], [], stale, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.SaveBillsAsync([bill], stale, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.ScheduleNextAsync(batchId, later, stale, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.PutBackAsync(batchId, later, stale, Ct));

        Assert.Equal((0, true), (await Database.ListAsync(
            "select follow_up_checks, follow_up_next_at is null from orchestrator.batch where id = $1", r => (r.GetInt32(0), r.GetBoolean(1)), batchId))[0]);
        Assert.Equal((true, 0), (await Database.ListAsync(
            "select billed_credits is null, bill_looks from orchestrator.credit_charge where batch_id = $1", r => (r.GetBoolean(0), r.GetInt32(1)), batchId))[0]);

        Assert.Equal([versionId], await Store.SaveBillsAsync([bill], holder, Ct));
        await Store.ScheduleNextAsync(batchId, later, holder, Ct);
        await Store.PutBackAsync(batchId, later, fence: null, Ct); // outside the lease (held elsewhere, an operator's command): not fenced
        Assert.Equal(12m, await Database.ScalarAsync<decimal>("select billed_credits from orchestrator.credit_charge where batch_id = $1", batchId));
        Assert.Equal(1, await Database.ScalarAsync<int>("select follow_up_checks from orchestrator.batch where id = $1", batchId));
    }
}
