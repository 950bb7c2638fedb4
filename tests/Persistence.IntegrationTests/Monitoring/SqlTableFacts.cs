namespace BatchOrchestrator.Persistence.IntegrationTests.Monitoring;

/// <summary>The dashboard's and the status verb's reads (docs/performance.md, "The operator's pages at scale").</summary>
public sealed class SqlTableFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task QueryAsync_RunsItsQueryWithoutJit_AndLeavesTheConnectionAsItWas()
    {
        // One connection, not reset when it goes back to the pool, so the second read would see a setting the first left behind.
        var builder = new NpgsqlConnectionStringBuilder(Database.ConnectionString) { MaxPoolSize = 1, NoResetOnClose = true };
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        await using (var on = dataSource.CreateCommand("set jit = on"))
        {
            await on.ExecuteNonQueryAsync(Ct);
        }

        var inQuery = await SqlTable.QueryAsync(dataSource, "select current_setting('jit') as jit, $1::int as n", Ct, SqlParameters.Int(7));
        await using var after = dataSource.CreateCommand("select current_setting('jit')");

        Assert.Equal(["off", 7], inQuery.Rows.Single());
        Assert.Equal("on", await after.ExecuteScalarAsync(Ct));
    }
}
