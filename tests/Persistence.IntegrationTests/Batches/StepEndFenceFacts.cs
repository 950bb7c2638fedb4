using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Retries;

namespace BatchOrchestrator.Persistence.IntegrationTests.Batches;

/// <summary>
/// The writes that end a batch's step or take back its attempt are fenced as its other writes are (docs/reliability.md,
/// "Fencing"): a holder whose lease was taken over is refused them whole, and they land for the holder that took it.
/// </summary>
public sealed class StepEndFenceFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private NpgsqlBatchStore Store => new(Database.DataSource);

    [Fact]
    public async Task GivingUp_CancellingAndRefunding_ByAHolderWhoseLeaseWasTakenOver_AreRefused_AndChangeNothing()
    {
        var batchId = await Seed.PlannedBatchAsync(Database, "docs", files: 2, Ct);
        await Store.BeginStepAttemptAsync(batchId, Ct);
        await Store.BeginStepAttemptAsync(batchId, Ct);
        var stale = await Seed.BatchLeaseAsync(Database, batchId, Ct);
        var holder = await Seed.BatchLeaseAsync(Database, batchId, Ct); // its lease expired, and another step took it over
        var how = new BatchAbandonment("the upload step failed 5 times", FailureClass.Transient, BackToQueue: true);

        var refused = await Assert.ThrowsAsync<LeaseLostException>(() => Store.GiveUpAsync(batchId, how, new RetryRule(3), stale, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.FinishCancelledAsync(batchId, stale, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.RefundStepAttemptAsync(batchId, stale, Ct));

        Assert.Equal(stale, refused.Lease);
        Assert.Equal(("Planned", 2), await BatchAsync(batchId));
        Assert.Equal(0L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where batch_id is distinct from $1 or state <> 'Discovered'", batchId));

        await Store.RefundStepAttemptAsync(batchId, holder, Ct);
        Assert.Equal(("Planned", 1), await BatchAsync(batchId));
        Assert.Equal(new SentBack(2, 0), await Store.GiveUpAsync(batchId, how, new RetryRule(3), holder, Ct));
        Assert.Equal("ResultsRecorded", (await BatchAsync(batchId)).State);
        Assert.Null(await Store.GiveUpAsync(batchId, how, new RetryRule(3), holder, Ct)); // once: it no longer is in a state the move starts from
    }

    [Fact]
    public async Task FinishingACancellation_LandsForTheHolder_AndSaysWhetherItEndedTheBatch()
    {
        var batchId = await Seed.PlannedBatchAsync(Database, "docs", files: 2, Ct);
        var holder = await Seed.BatchLeaseAsync(Database, batchId, Ct);

        Assert.True(await Store.FinishCancelledAsync(batchId, holder, Ct));
        Assert.False(await Store.FinishCancelledAsync(batchId, holder, Ct)); // already ended
        Assert.Equal(2L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where batch_id = $1 and state = 'Skipped'", batchId));
    }

    private async Task<(string State, int Attempts)> BatchAsync(long batchId) =>
        (await Database.ListAsync("select state, step_attempts from orchestrator.batch where id = $1", r => (r.GetString(0), r.GetInt32(1)), batchId)).Single();
}
