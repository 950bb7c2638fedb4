using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Runs;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Persistence.IntegrationTests.Runs;

public sealed class RunStoreFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private TestDatabase database = null!;
    private NpgsqlRunStore store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(server, nameof(RunStoreFacts));
        store = new NpgsqlRunStore(database.DataSource);
    }

    public ValueTask DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task FinishScanAsync_MarksARunWithoutBatches_NoChanges_AndOneWithBatches_Active()
    {
        var quiet = await store.StartRunAsync("docs", RunTrigger.Schedule, Ct);
        var busy = await store.StartRunAsync("docs", RunTrigger.Schedule, Ct);
        var summary = new ScanSummary(5, 0, 0, 0, 0, 0, 0);

        await store.FinishScanAsync(quiet, summary, 0, Ct);
        await store.FinishScanAsync(busy, summary, 2, Ct);

        Assert.Equal("NoChanges", await database.ScalarAsync<string>("select state from orchestrator.run where id = $1", quiet));
        Assert.Equal("Active", await database.ScalarAsync<string>("select state from orchestrator.run where id = $1", busy));
    }

    [Fact]
    public async Task TakeRerunRequestAsync_ReturnsTrueOnce_AfterARequest()
    {
        Assert.False(await store.TakeRerunRequestAsync("docs", Ct));
        await store.RequestRerunAsync("docs", Ct);
        await store.RequestRerunAsync("docs", Ct);

        Assert.True(await store.TakeRerunRequestAsync("docs", Ct));
        Assert.False(await store.TakeRerunRequestAsync("docs", Ct));
    }
}
