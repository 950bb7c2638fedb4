using BatchOrchestrator.Persistence.Migrations;

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
            new Migrator(first, NullLogger<Migrator>.Instance).MigrateAsync(Ct),
            new Migrator(second, NullLogger<Migrator>.Instance).MigrateAsync(Ct));

        await using var database = first.CreateCommand("select count(*), max(version) from orchestrator.schema_version");
        await using var reader = await database.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        Assert.Equal(Migrator.Embedded.Count, reader.GetInt64(0));
        Assert.Equal(Migrator.LatestVersion, reader.GetInt32(1));
    }

    [Fact]
    public async Task MigrateAsync_InstallsHangfireSchemaAndOneInstallationId_AndIsRepeatable()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var migrator = new Migrator(dataSource, NullLogger<Migrator>.Instance);

        await migrator.MigrateAsync(Ct);
        await migrator.MigrateAsync(Ct);

        await using var hangfire = dataSource.CreateCommand("select count(*) from information_schema.tables where table_schema = 'hangfire' and table_name = 'job'");
        Assert.Equal(1L, await hangfire.ExecuteScalarAsync(Ct));
        await using var installation = dataSource.CreateCommand("select count(*) from orchestrator.installation");
        Assert.Equal(1L, await installation.ExecuteScalarAsync(Ct));
        Assert.Equal(Migrator.LatestVersion, await migrator.CurrentVersionAsync(Ct));
    }

    [Fact]
    public async Task MigrateAsync_RefusesASchemaANewerBuildMigrated_ChangingNothing()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var migrator = new Migrator(dataSource, NullLogger<Migrator>.Instance);
        await migrator.MigrateAsync(Ct);
        await using (var newer = dataSource.CreateCommand($"insert into orchestrator.schema_version (version, name) values ({Migrator.LatestVersion + 1}, 'from a newer build')"))
        {
            await newer.ExecuteNonQueryAsync(Ct);
        }

        var refused = await Assert.ThrowsAsync<SchemaNewerThanBuildException>(() => migrator.MigrateAsync(Ct));

        Assert.StartsWith($"the database's schema is at version {Migrator.LatestVersion + 1}, newer than this build's {Migrator.LatestVersion}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(Migrator.LatestVersion + 1, await migrator.CurrentVersionAsync(Ct));
    }

    [Theory]
    [InlineData("LATIN1")]
    [InlineData("WIN1252")]
    public async Task MigrateAsync_RefusesADatabaseNotEncodedInUtf8_BeforeCreatingAnything(string encoding)
    {
        var connectionString = await CreateEmptyDatabaseAsync($" encoding '{encoding}' lc_collate 'C' lc_ctype 'C' template template0");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        var refused = await Assert.ThrowsAsync<DatabaseEncodingException>(() => new Migrator(dataSource, NullLogger<Migrator>.Instance).MigrateAsync(Ct));

        Assert.StartsWith($"Database:ConnectionString: the database is encoded in {encoding}; BatchOrchestrator needs UTF8", refused.Message, StringComparison.Ordinal);
        await using var schemas = dataSource.CreateCommand("select count(*) from information_schema.schemata where schema_name in ('orchestrator', 'hangfire')");
        Assert.Equal(0L, await schemas.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task CurrentVersionAsync_IsZero_OnAnEmptyDatabase()
    {
        await using var dataSource = NpgsqlDataSource.Create(await CreateEmptyDatabaseAsync());

        Assert.Equal(0, await new Migrator(dataSource, NullLogger<Migrator>.Instance).CurrentVersionAsync(Ct));
    }

    private async Task<string> CreateEmptyDatabaseAsync(string options = "")
    {
        var name = $"t_empty_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server.AdminConnectionString))
        {
            await admin.OpenAsync(Ct);
            await using var create = new NpgsqlCommand($"create database {name}{options}", admin);
            await create.ExecuteNonQueryAsync(Ct);
        }

        return new NpgsqlConnectionStringBuilder(server.AdminConnectionString) { Database = name }.ConnectionString;
    }
}
