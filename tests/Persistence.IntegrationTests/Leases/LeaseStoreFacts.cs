using BatchOrchestrator.Persistence.Leases;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Persistence.IntegrationTests.Leases;

public sealed class LeaseStoreFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private TestDatabase database = null!;
    private NpgsqlLeaseStore store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(server, nameof(LeaseStoreFacts));
        store = new NpgsqlLeaseStore(database.DataSource);
    }

    public ValueTask DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task TryAcquireAsync_ReturnsNull_WhileAnotherOwnerHoldsIt()
    {
        var held = await store.TryAcquireAsync("source:a", "one", TimeSpan.FromMinutes(1), Ct);

        Assert.NotNull(held);
        Assert.Null(await store.TryAcquireAsync("source:a", "two", TimeSpan.FromMinutes(1), Ct));
        Assert.NotNull(await store.TryAcquireAsync("source:b", "two", TimeSpan.FromMinutes(1), Ct));
    }

    [Fact]
    public async Task TryAcquireAsync_TakesAnExpiredLease_WithAHigherFencingToken_AndTheOldHolderCannotRenew()
    {
        var first = await store.TryAcquireAsync("source:a", "one", TimeSpan.FromMilliseconds(1), Ct);
        await Eventually.WaitAsync(
            () => database.ScalarAsync<bool>("select expires_at < now() from orchestrator.lease where name = 'source:a'"),
            TimeSpan.FromSeconds(5),
            "the first lease to expire");

        var second = await store.TryAcquireAsync("source:a", "two", TimeSpan.FromMinutes(1), Ct);
        Assert.NotNull(second);
        Assert.Equal(first!.FencingToken + 1, second.FencingToken);
        Assert.False(await store.RenewAsync(first, TimeSpan.FromMinutes(1), Ct));
        Assert.True(await store.RenewAsync(second, TimeSpan.FromMinutes(1), Ct));
    }

    [Fact]
    public async Task ReleaseAsync_FreesTheLeaseAtOnce_AndFencingTokensKeepGrowing()
    {
        var first = await store.TryAcquireAsync("run", "one", TimeSpan.FromMinutes(5), Ct);
        await store.ReleaseAsync(first!, Ct);

        var second = await store.TryAcquireAsync("run", "two", TimeSpan.FromMinutes(5), Ct);

        Assert.NotNull(second);
        Assert.Equal(first!.FencingToken + 1, second.FencingToken);
    }
}
