using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Persistence.Leases;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace BatchOrchestrator.Worker.IntegrationTests.Scenarios;

/// <summary>
/// Why "one run per source" is a lease of ours and not Hangfire's DisableConcurrentExecution
/// (docs/reliability.md §2.2): Hangfire.PostgreSql's lock row has no renewal, so once its timeout passes
/// any other node deletes it and takes the lock while the first holder is still working. The first
/// test documents that failure (it passes when the overlap happens); the second shows our lease in the
/// same situation. Keep both, so nobody switches to the attribute.
/// </summary>
public sealed class HangfireLockFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private TestDatabase database = null!;

    public async ValueTask InitializeAsync() => database = await TestDatabase.CreateAsync(server, "locks");

    public ValueTask DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task ExpectedFailure_HangfiresDistributedLock_IsTakenByAnotherNode_WhileItsHolderStillWorks()
    {
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = false, DistributedLockTimeout = Timeout };
        var nodeA = new PostgreSqlStorage(new NpgsqlConnectionFactory(database.ConnectionString, options), options);
        var nodeB = new PostgreSqlStorage(new NpgsqlConnectionFactory(database.ConnectionString, options), options);
        using var connectionA = nodeA.GetConnection();
        using var connectionB = nodeB.GetConnection();

        using var heldByA = connectionA.AcquireDistributedLock("source:docs", Timeout); // a long run starts on A
        await OutliveAsync(Timeout * 2); // …and is still working

        using var heldByB = connectionB.AcquireDistributedLock("source:docs", Timeout * 5);

        Assert.NotNull(heldByB); // two holders at once: the overlap DisableConcurrentExecution lets through
    }

    [Fact]
    public async Task OurLease_InTheSameSituation_StaysWithItsLiveHolder()
    {
        var store = new NpgsqlLeaseStore(database.DataSource);
        var leases = new LeaseManager(store, Options.Create(new LeaseOptions { TimeToLive = Timeout }), TimeProvider.System, NullLogger<HeldLease>.Instance);
        await using var heldByA = await leases.TryHoldAsync("source:docs", Ct);
        await OutliveAsync(Timeout * 3);

        var heldByB = await leases.TryHoldAsync("source:docs", Ct);

        Assert.NotNull(heldByA);
        Assert.Null(heldByB);
        Assert.False(heldByA.Token.IsCancellationRequested);
    }

    // The lock's own timeout is what is being tested, so the wait is for wall time to pass it.
    private static Task OutliveAsync(TimeSpan span)
    {
        var clock = Stopwatch.StartNew();
        return Eventually.WaitAsync(() => Task.FromResult(clock.Elapsed > span), span * 10, $"{span} to pass");
    }
}
