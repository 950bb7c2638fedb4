using BatchOrchestrator.Persistence;
using BatchOrchestrator.Persistence.Embedded;
using BatchOrchestrator.Persistence.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Testcontainers.PostgreSql;

namespace BatchOrchestrator.TestSupport;

/// <summary>
/// One real PostgreSQL server per test assembly: the server named by
/// <c>BATCHORCHESTRATOR_TEST_POSTGRES</c> if set, else a Testcontainers container where a Docker engine
/// answers, else a throwaway server from the machine's binaries (the production embedded launcher).
/// Each test class gets its own database, built by the production migrator.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string ConnectionStringVariable = "BATCHORCHESTRATOR_TEST_POSTGRES";

    private readonly SemaphoreSlim templateLock = new(1, 1);
    private PostgreSqlContainer? container;
    private string? templateName;
    private EmbeddedPostgres? embedded;
    private string? embeddedRoot;

    /// <summary>A connection string to the server's maintenance database.</summary>
    public string AdminConnectionString { get; private set; } = "";

    /// <summary>Where the server came from, for test output.</summary>
    public string Provider { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            AdminConnectionString = fromEnvironment;
            Provider = ConnectionStringVariable;
            return;
        }

        if (await TryStartContainerAsync())
        {
            return;
        }

        embeddedRoot = Path.Combine(Path.GetTempPath(), $"bo-test-pg-{Guid.NewGuid():N}");
        embedded = new EmbeddedPostgres(new EmbeddedPostgresOptions { DataDirectory = embeddedRoot, Durable = false }, NullLogger.Instance);
        await embedded.StartAsync(CancellationToken.None);
        AdminConnectionString = new NpgsqlConnectionStringBuilder(embedded.ConnectionString) { Database = "postgres" }.ConnectionString;
        Provider = "local PostgreSQL binaries";
    }

    /// <summary>
    /// Creates an empty, fully migrated database and returns its connection string. The production
    /// migrator runs once per assembly into a template; each database is a cheap copy of it.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string hint)
    {
        var template = await EnsureTemplateAsync();
        var name = $"t_{new string(hint.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray())}_{Guid.NewGuid():N}";
        await ExecuteAdminAsync($"create database {name} template {template}");
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    private async Task<string> EnsureTemplateAsync()
    {
        await templateLock.WaitAsync();
        try
        {
            if (templateName is not null)
            {
                return templateName;
            }

            var name = $"bo_template_{Guid.NewGuid():N}";
            await ExecuteAdminAsync($"create database {name}");
            // No pooling: a template must have no open connections when it is copied.
            var connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = false }.ConnectionString;
            await using (var dataSource = NpgsqlDataSource.Create(connectionString))
            {
                await new Migrator(dataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
            }

            return templateName = name;
        }
        finally
        {
            templateLock.Release();
        }
    }

    private async Task ExecuteAdminAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (container is not null)
        {
            await container.DisposeAsync();
        }

        if (embedded is not null)
        {
            await embedded.StopAsync(CancellationToken.None);
            try
            {
                Directory.Delete(embeddedRoot!, recursive: true);
            }
            catch (IOException)
            {
                // a leftover temp folder is harmless
            }
        }
    }

    private async Task<bool> TryStartContainerAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            container = new PostgreSqlBuilder("postgres:15-alpine").Build();
            await container.StartAsync(timeout.Token);
            AdminConnectionString = container.GetConnectionString();
            Provider = "Testcontainers";
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // No Docker engine here (the client may answer with nothing behind it): use local binaries.
            if (container is not null)
            {
                await container.DisposeAsync();
            }

            container = null;
            return false;
        }
    }
}
