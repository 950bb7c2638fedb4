namespace BatchOrchestrator.Persistence.IntegrationTests.Monitoring;

/// <summary>A batch that expected a webhook and ended with none announcing it, past the margin, is flagged once.</summary>
public sealed class WebhookLivenessStoreFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(10);

    private NpgsqlWebhookLivenessStore Store => new(Database.DataSource);

    [Fact]
    public async Task FlagMissed_TakesOnlyEndedBatchesThatExpectedAnEndEventAndGotNone_OncePastTheMargin_AndOnce()
    {
        var run = await OpsSeed.RunAsync(Database, "docs");
        var missed = await ExpectingAsync(run, "now() - interval '1 hour'");
        var announced = await ExpectingAsync(run, "now() - interval '1 hour'");
        var onlyRunning = await ExpectingAsync(run, "now() - interval '1 hour'");
        var recent = await ExpectingAsync(run, "now() - interval '1 minute'");
        await OpsSeed.BatchAsync(Database, run, "docs", finished: "now() - interval '1 hour'"); // polled only: no webhook expected

        Assert.True(await Store.RecordDeliveryAsync(await Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch where id = $1", announced), announcesEnd: true, Ct));
        Assert.True(await Store.RecordDeliveryAsync(await Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch where id = $1", onlyRunning), announcesEnd: false, Ct));
        Assert.False(await Store.RecordDeliveryAsync("bat-not-ours", announcesEnd: true, Ct));
        var flagged = await Store.FlagMissedAsync(Margin, 100, Ct);
        var again = await Store.FlagMissedAsync(Margin, 100, Ct);

        Assert.Equal([missed, onlyRunning], flagged.Select(m => m.BatchId).Order());
        Assert.Equal(1, flagged.Single(m => m.BatchId == onlyRunning).Deliveries);
        Assert.Empty(again);
        Assert.Equal(0L, await Database.ScalarAsync<long>("select count(*) from orchestrator.batch where webhook_missed_at is not null and id = $1", recent));
    }

    private async Task<long> ExpectingAsync(long run, string finished)
    {
        var batch = await OpsSeed.BatchAsync(Database, run, "docs", finished: finished);
        await Store.ExpectAsync(batch, Ct);
        return batch;
    }
}
