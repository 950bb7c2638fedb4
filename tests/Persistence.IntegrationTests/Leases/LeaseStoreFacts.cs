using BatchOrchestrator.Persistence.Leases;

namespace BatchOrchestrator.Persistence.IntegrationTests.Leases;

public sealed class LeaseStoreFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private NpgsqlLeaseStore Store => new(Database.DataSource);

    [Fact]
    public async Task TryAcquireAsync_ReturnsNull_WhileAnotherOwnerHoldsIt()
    {
        var held = await Store.TryAcquireAsync("source:a", "one", TimeSpan.FromMinutes(1), Ct);

        Assert.NotNull(held);
        Assert.Null(await Store.TryAcquireAsync("source:a", "two", TimeSpan.FromMinutes(1), Ct));
        Assert.NotNull(await Store.TryAcquireAsync("source:b", "two", TimeSpan.FromMinutes(1), Ct));
    }

    [Fact]
    public async Task TryAcquireAsync_TakesAnExpiredLease_WithAHigherFencingToken_AndTheOldHolderCannotRenew()
    {
        var first = await Store.TryAcquireAsync("source:a", "one", TimeSpan.FromMilliseconds(1), Ct);
        await Eventually.WaitAsync(
            () => Database.ScalarAsync<bool>("select expires_at < now() from orchestrator.lease where name = 'source:a'"),
            TimeSpan.FromSeconds(5),
            "the first lease to expire");

        var second = await Store.TryAcquireAsync("source:a", "two", TimeSpan.FromMinutes(1), Ct);
        Assert.NotNull(second);
        Assert.Equal(first!.FencingToken + 1, second.FencingToken);
        Assert.False(await Store.RenewAsync(first, TimeSpan.FromMinutes(1), Ct));
        Assert.True(await Store.RenewAsync(second, TimeSpan.FromMinutes(1), Ct));
    }

    [Fact]
    public async Task ReleaseAsync_FreesTheLeaseAtOnce_AndFencingTokensKeepGrowing()
    {
        var first = await Store.TryAcquireAsync("run", "one", TimeSpan.FromMinutes(5), Ct);
        await Store.ReleaseAsync(first!, Ct);

        var second = await Store.TryAcquireAsync("run", "two", TimeSpan.FromMinutes(5), Ct);

        Assert.NotNull(second);
        Assert.Equal(first!.FencingToken + 1, second.FencingToken);
    }
}
