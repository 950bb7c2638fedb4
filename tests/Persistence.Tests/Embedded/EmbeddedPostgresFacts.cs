using BatchOrchestrator.Persistence.Embedded;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace BatchOrchestrator.Persistence.Tests.Embedded;

public sealed class EmbeddedPostgresFacts
{
    [Fact]
    public void Locate_NamesTheSetting_WhenTheConfiguredFolderHasNoServerBinaries()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PostgresBinaries.Locate(Path.GetTempPath()));

        Assert.StartsWith("Database:Embedded:BinDirectory:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_KeepsItsDataAndPortAcrossRestarts_AndStopsTheServer()
    {
        var root = Path.Combine(Path.GetTempPath(), $"bo-embedded-{Guid.NewGuid():N}");
        var options = new EmbeddedPostgresOptions { DataDirectory = root, Durable = false };
        var first = new EmbeddedPostgres(options, NullLogger.Instance);
        await first.StartAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(first.ConnectionString, "create table kept (id int); insert into kept values (42)");
        await first.StopAsync(TestContext.Current.CancellationToken);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ExecuteAsync(first.ConnectionString, "select 1"));

        var second = new EmbeddedPostgres(options, NullLogger.Instance);
        await second.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            Assert.Equal(new NpgsqlConnectionStringBuilder(first.ConnectionString).Port, new NpgsqlConnectionStringBuilder(second.ConnectionString).Port);
            await using var dataSource = NpgsqlDataSource.Create(second.ConnectionString);
            await using var command = dataSource.CreateCommand("select id from kept");
            Assert.Equal(42, await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            await second.StopAsync(CancellationToken.None);
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
