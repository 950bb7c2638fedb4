namespace BatchOrchestrator.TestSupport;

/// <summary>
/// Base for facts over a real database: each test gets a freshly migrated database of its own, named after
/// the test class so a leftover one says where it came from. Persistence's stores hold nothing but the data
/// source, so a fact builds the one it tests on use: <c>private NpgsqlRunStore Store => new(Database.DataSource);</c>.
/// </summary>
public abstract class DatabaseFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private TestDatabase? database;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected TestDatabase Database => database ?? throw new InvalidOperationException("The database exists only while a test runs.");

    public virtual async ValueTask InitializeAsync() => database = await TestDatabase.CreateAsync(server, GetType().Name);

    public virtual ValueTask DisposeAsync() => database?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>Returns once a session of this database waits on a lock (at most 30 s): a statement started beside a held lock has reached it.</summary>
    protected async Task WaitUntilABackendWaitsOnALockAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (await Database.ScalarAsync<long>(
            "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'") == 0)
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
