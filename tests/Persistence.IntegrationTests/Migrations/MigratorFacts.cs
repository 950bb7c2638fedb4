using BatchOrchestrator.Persistence.Migrations;
using BatchOrchestrator.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace BatchOrchestrator.Persistence.IntegrationTests.Migrations;

public sealed class MigratorFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task MigrateAsync_AppliesEveryMigrationOnce_WhenTwoInstancesStartTogether()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await using var first = NpgsqlDataSource.Create(connectionString);
        await using var second = NpgsqlDataSource.Create(connectionString);

        await Task.WhenAll(
            new Migrator(first, NullLogger<Migrator>.Instance).MigrateAsync(TestContext.Current.CancellationToken),
            new Migrator(second, NullLogger<Migrator>.Instance).MigrateAsync(TestContext.Current.CancellationToken));

        await using var database = first.CreateCommand("select count(*), max(version) from orchestrator.schema_version");
        await using var reader = await database.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        await reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Migrator.Embedded.Count, reader.GetInt64(0));
        Assert.Equal(Migrator.LatestVersion, reader.GetInt32(1));
    }

    [Fact]
    public async Task MigrateAsync_InstallsHangfireSchemaAndOneInstallationId_AndIsRepeatable()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var migrator = new Migrator(dataSource, NullLogger<Migrator>.Instance);

        await migrator.MigrateAsync(TestContext.Current.CancellationToken);
        await migrator.MigrateAsync(TestContext.Current.CancellationToken);

        await using var hangfire = dataSource.CreateCommand("select count(*) from information_schema.tables where table_schema = 'hangfire' and table_name = 'job'");
        Assert.Equal(1L, await hangfire.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        await using var installation = dataSource.CreateCommand("select count(*) from orchestrator.installation");
        Assert.Equal(1L, await installation.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        Assert.Equal(Migrator.LatestVersion, await migrator.CurrentVersionAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CurrentVersionAsync_IsZero_OnAnEmptyDatabase()
    {
        await using var dataSource = NpgsqlDataSource.Create(await CreateEmptyDatabaseAsync());

        Assert.Equal(0, await new Migrator(dataSource, NullLogger<Migrator>.Instance).CurrentVersionAsync(TestContext.Current.CancellationToken));
    }

    private async Task<string> CreateEmptyDatabaseAsync()
    {
        var name = $"t_empty_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server.AdminConnectionString))
        {
            await admin.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new NpgsqlCommand($"create database {name}", admin);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(server.AdminConnectionString) { Database = name }.ConnectionString;
    }
}
