using BatchOrchestrator.Persistence.Webhooks;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Persistence.IntegrationTests.Monitoring;

/// <summary>A batch that expected a webhook and ended with none announcing it, past the margin, is flagged once.</summary>
public sealed class WebhookLivenessStoreFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(10);
    private TestDatabase database = null!;
    private NpgsqlWebhookLivenessStore store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(server, nameof(WebhookLivenessStoreFacts));
        store = new NpgsqlWebhookLivenessStore(database.DataSource);
    }

    public ValueTask DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task FlagMissed_TakesOnlyEndedBatchesThatExpectedAnEndEventAndGotNone_OncePastTheMargin_AndOnce()
    {
        var run = await OpsSeed.RunAsync(database, "docs");
        var missed = await ExpectingAsync(run, "now() - interval '1 hour'");
        var announced = await ExpectingAsync(run, "now() - interval '1 hour'");
        var onlyRunning = await ExpectingAsync(run, "now() - interval '1 hour'");
        var recent = await ExpectingAsync(run, "now() - interval '1 minute'");
        await OpsSeed.BatchAsync(database, run, "docs", finished: "now() - interval '1 hour'"); // polled only: no webhook expected

        Assert.True(await store.RecordDeliveryAsync(await database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch where id = $1", announced), announcesEnd: true, Ct));
        Assert.True(await store.RecordDeliveryAsync(await database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch where id = $1", onlyRunning), announcesEnd: false, Ct));
        Assert.False(await store.RecordDeliveryAsync("bat-not-ours", announcesEnd: true, Ct));
        var flagged = await store.FlagMissedAsync(Margin, 100, Ct);
        var again = await store.FlagMissedAsync(Margin, 100, Ct);

        Assert.Equal([missed, onlyRunning], flagged.Select(m => m.BatchId).Order());
        Assert.Equal(1, flagged.Single(m => m.BatchId == onlyRunning).Deliveries);
        Assert.Empty(again);
        Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from orchestrator.batch where webhook_missed_at is not null and id = $1", recent));
    }

    private async Task<long> ExpectingAsync(long run, string finished)
    {
        var batch = await OpsSeed.BatchAsync(database, run, "docs", finished: finished);
        await store.ExpectAsync(batch, Ct);
        return batch;
    }
}
