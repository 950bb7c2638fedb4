using BatchOrchestrator.Persistence.Operations;

namespace BatchOrchestrator.Persistence.IntegrationTests.Operations;

/// <summary>
/// A rename and a service starting for the first time under the new name, at the same moment: the start-up records the
/// name (an insert "on conflict"), and the rename must neither fail on the duplicate name nor lose the record.
/// </summary>
public sealed class SourceRenameStoreFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task ARenameMeetingAStartUpThatRecordsTheNewName_WaitsForIt_AndMovesTheRecord()
    {
        await Database.ExecuteAsync("insert into orchestrator.source (name) values ('old')");
        await Database.ExecuteAsync("""
            insert into orchestrator.source_file (source_name, relative_path, size, mtime_ticks, first_seen_at, sha256)
            values ('old', 'a.pdf', 10, 1000, now(), sha256('a'::bytea))
            """);

        // The start-up's insert, caught between its statement and its commit.
        await using var startUp = await Database.DataSource.OpenConnectionAsync(Ct);
        await using var recording = await startUp.BeginTransactionAsync(Ct);
        await using (var insert = new NpgsqlCommand("insert into orchestrator.source (name) select unnest($1::text[]) on conflict (name) do nothing", startUp, recording))
        {
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ["new"] });
            await insert.ExecuteNonQueryAsync(Ct);
        }

        var rename = new NpgsqlSourceRenameStore(Database.DataSource).RenameAsync("old", "new", dryRun: false, Ct);
        await WaitUntilABackendWaitsOnALockAsync();
        await recording.CommitAsync(Ct);
        var renamed = await rename;

        Assert.True(renamed.Moved, renamed.RefusedBecause);
        Assert.Equal(
            ["new"],
            await Database.ListAsync("select name from orchestrator.source order by name", r => r.GetString(0)));
        Assert.Equal(1L, await Database.ScalarAsync<long>("select count(*) from orchestrator.source_file where source_name = 'new'"));
    }
}
