using BatchOrchestrator.Persistence.Embedded;

namespace BatchOrchestrator.Worker.IntegrationTests.Support;

/// <summary>
/// Base for facts whose host runs on a PostgreSQL server of its own, which the test stops and starts again (the shared
/// one cannot be stopped): a server from the local binaries in a fresh folder, beside the usual <see cref="TestEnvironment"/>
/// (whose database holds nothing of the host's then), both gone after the test.
/// </summary>
public abstract class OwnServerFacts(PostgresServerFixture server, SandboxOptions? sandbox = null) : IAsyncLifetime
{
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), $"bo-own-pg-{Guid.NewGuid():N}");
    private TestEnvironment? env;
    private EmbeddedPostgres? postgres;

    private protected TestEnvironment Env => env ?? throw new InvalidOperationException("The environment exists only while a test runs.");

    /// <summary>The host's server: give the host its <c>ConnectionString</c> (<c>Env.Settings(Postgres.ConnectionString)</c>).</summary>
    private protected EmbeddedPostgres Postgres => postgres ?? throw new InvalidOperationException("The server exists only while a test runs.");

    public async ValueTask InitializeAsync()
    {
        env = await TestEnvironment.CreateAsync(server, GetType().Name, sandbox);
        postgres = new EmbeddedPostgres(new EmbeddedPostgresOptions { DataDirectory = dataDirectory, Durable = false }, NullLogger.Instance);
        await postgres.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (postgres is not null)
        {
            await postgres.StopAsync(CancellationToken.None);
        }

        if (env is not null)
        {
            await env.DisposeAsync();
        }

        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    // The server may be down or just back: an error is a value to wait past, not a failure.
    private protected static async Task<T> TryScalar<T>(NpgsqlDataSource database, string sql, Func<NpgsqlException, T> whenDown)
    {
        try
        {
            await using var command = database.CreateCommand(sql);
            return (T)(await command.ExecuteScalarAsync(Ct))!;
        }
        catch (NpgsqlException ex)
        {
            return whenDown(ex);
        }
    }
}
