using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Persistence.IntegrationTests.Monitoring;
using BatchOrchestrator.Persistence.Operations;

namespace BatchOrchestrator.Persistence.IntegrationTests.Operations;

/// <summary>
/// An operator's retry of failed files: racing a planning that takes them, it acts on the state the file is in; forced, it
/// takes only what it was forced to.
/// </summary>
public sealed class OperatorStoreFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private const string Source = "docs";

    [Fact]
    public async Task RequeueFailedAsync_LeavesAFileAPlanningTookWhileTheRetryWaitedForIt_InThatPlanningsBatch()
    {
        // A retry that read the file Failed and then waited on its row, which the planning's transaction held: once that commits,
        // the file is in the new batch, and sent back to the queue then it would be planned again while the batch holds it.
        var run = await OpsSeed.RunAsync(Database, Source);
        var failedIn = await OpsSeed.BatchAsync(Database, run, Source, "cfg-PARSE_AGENTIC");
        var file = await OpsSeed.FileAsync(Database, failedIn, Source, "a.pdf", outcome: "Failed", errorClass: "Transient");
        var next = await OpsSeed.BatchAsync(Database, run, Source, "cfg-PARSE_AGENTIC");
        await using var planning = await Database.DataSource.OpenConnectionAsync(Ct);
        await using var plans = await planning.BeginTransactionAsync(Ct);
        await using (var take = new NpgsqlCommand("update orchestrator.file_version set state = 'Planned', batch_id = $2 where id = $1", planning, plans))
        {
            take.Parameters.Add(new NpgsqlParameter<long> { TypedValue = file });
            take.Parameters.Add(new NpgsqlParameter<long> { TypedValue = next });
            await take.ExecuteNonQueryAsync(Ct);
        }

        var retry = new NpgsqlOperatorStore(Database.DataSource).RequeueFailedAsync(Source, ForcedRetry.None, Ct);
        await WaitUntilABackendWaitsOnALockAsync();
        await plans.CommitAsync(Ct);

        Assert.Equal(0, (await retry).Requeued);
        Assert.Equal(
            [("Planned", next)],
            await Database.ListAsync("select state, batch_id from orchestrator.file_version where id = $1", r => (r.GetString(0), r.GetInt64(1)), file));
    }

    [Fact]
    public async Task RequeueFailedAsync_ForcedForOneUnconfirmedBatch_LeavesAnotherUnconfirmedBatchsFilesAndPermanentFailures()
    {
        var run = await OpsSeed.RunAsync(Database, Source);
        var looked = await OpsSeed.BatchAsync(Database, run, Source, "cfg-PARSE_AGENTIC", state: "Failed");
        var unlooked = await OpsSeed.BatchAsync(Database, run, Source, "cfg-PARSE_AGENTIC", state: "Failed");
        await OpsSeed.FileAsync(Database, looked, Source, "a.pdf", outcome: "Failed", errorClass: "Unconfirmed");
        await OpsSeed.FileAsync(Database, unlooked, Source, "b.pdf", outcome: "Failed", errorClass: "Unconfirmed");
        await OpsSeed.FileAsync(Database, unlooked, Source, "c.pdf", outcome: "Failed", errorClass: "Permanent");
        var store = new NpgsqlOperatorStore(Database.DataSource);

        var permanent = await store.RequeueFailedAsync(Source, ForcedRetry.Permanent, Ct);
        var one = await store.RequeueFailedAsync(Source, ForcedRetry.Unconfirmed(looked), Ct);

        Assert.Equal(1, permanent.Requeued);
        Assert.Equal(1, one.Requeued);
        Assert.Equal(
            [("a.pdf", "Discovered"), ("b.pdf", "Failed"), ("c.pdf", "Discovered")],
            await Database.ListAsync("select relative_path, state from orchestrator.file_version order by 1", r => (r.GetString(0), r.GetString(1))));
    }
}
