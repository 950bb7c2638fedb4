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
        await Database.ExecuteAsync("update orchestrator.batch set unconfirmed_since = now(), remote_batch_id = null");
        var store = new NpgsqlOperatorStore(Database.DataSource);

        var permanent = await store.RequeueFailedAsync(Source, ForcedRetry.Permanent, Ct);
        var one = await store.RequeueFailedAsync(Source, ForcedRetry.Unconfirmed(looked), Ct);

        Assert.Equal((1, false), (permanent.Requeued, permanent.LookedFor));
        Assert.Equal((1, true), (one.Requeued, one.LookedFor));
        Assert.Equal(
            [("a.pdf", "Discovered"), ("b.pdf", "Failed"), ("c.pdf", "Discovered")],
            await Database.ListAsync("select relative_path, state from orchestrator.file_version order by 1", r => (r.GetString(0), r.GetString(1))));
        Assert.Equal([unlooked], await Database.ListAsync("select id from orchestrator.batch where unconfirmed_since is not null", r => r.GetInt64(0)));
    }

    [Fact]
    public async Task AnUnconfirmedBatch_NeedsAPersonWithItsFilesGone_UntilARetryNamesIt_WhichSendsNothing()
    {
        // Its files were deleted since: none can be sent again, but the batch may still bill at LlamaCloud, and it keeps
        // their reservations. Only the operator's word that it was looked for takes it off the list.
        var batch = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, Source), Source, state: "ResultsRecorded");
        await OpsSeed.FileAsync(Database, batch, Source, "gone.pdf", outcome: "Failed", errorClass: "Unconfirmed");
        await Database.ExecuteAsync("update orchestrator.source_file set deleted_at = now()");
        await Database.ExecuteAsync("update orchestrator.batch set unconfirmed_since = now(), remote_batch_id = null, file_count = 1, last_error = 'look for a batch over directory d'");
        var attention = new Persistence.Monitoring.AttentionQueries(Database.DataSource);
        var store = new NpgsqlOperatorStore(Database.DataSource);
        async Task<IEnumerable<object?>> UnconfirmedAsync()
        {
            var table = await attention.NeedsAPersonAsync([(Source, "parse_v2 cfg-PARSE_AGENTIC", 3)], TimeSpan.FromDays(1), Ct);
            return table.Rows.Where(r => (string)table.Value(r, "Kind")! == "unconfirmed-batch").Select(r => table.Value(r, "Batch"));
        }

        var before = await UnconfirmedAsync();
        var cleared = await store.RequeueFailedAsync(Source, ForcedRetry.Unconfirmed(batch), Ct);
        var again = await store.RequeueFailedAsync(Source, ForcedRetry.Unconfirmed(batch), Ct);

        Assert.Equal([batch], before);
        Assert.Equal(new(0, 1, true), cleared);
        Assert.Equal(new(0, 1, false), again);
        Assert.Empty(await UnconfirmedAsync());
    }
}
