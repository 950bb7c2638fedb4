using BatchOrchestrator.Persistence.IntegrationTests.Monitoring;
using BatchOrchestrator.Persistence.Migrations;

namespace BatchOrchestrator.Persistence.IntegrationTests.Migrations;

/// <summary>
/// A batch LlamaCloud may have made is marked on its own row since the mark was added; earlier ones are found by their
/// files' class, or, for a RemoteOnly source with no files of ours, by the submit step's words on its latest batch.
/// </summary>
public sealed class UnconfirmedMarkMigrationFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task EarlierUnconfirmedBatches_AreMarked_AndNoOtherBatch()
    {
        const string GivenUp = "the submit step failed 8 times, and whether an earlier attempt created its batch could not be checked (500 Internal Server Error); "
            + "look for a batch over directory dir-theirs before retrying these files with --unconfirmed 1";
        var run = await OpsSeed.RunAsync(Database, "docs");
        var withFiles = await OpsSeed.BatchAsync(Database, run, "docs");
        await OpsSeed.FileAsync(Database, withFiles, "docs", "a.pdf", outcome: "Failed", errorClass: "Unconfirmed");
        var permanent = await OpsSeed.BatchAsync(Database, run, "docs");
        await OpsSeed.FileAsync(Database, permanent, "docs", "b.pdf", outcome: "Failed", errorClass: "Permanent");
        // Its file deleted: as an old version left behind by an operator's retry, it cannot tell that the batch was not retried.
        var gone = await OpsSeed.BatchAsync(Database, run, "docs");
        await OpsSeed.FileAsync(Database, gone, "docs", "c.pdf", outcome: "Failed", errorClass: "Unconfirmed");
        await Database.ExecuteAsync("update orchestrator.source_file set deleted_at = now() where relative_path = 'c.pdf'");
        var remote = new List<long>();
        foreach (var (source, directory) in new[] { ("theirs", "dir-theirs"), ("theirs", "dir-theirs"), ("mine", "dir-theirs"), ("moved", "dir-a"), ("moved", "dir-b") })
        {
            var id = await OpsSeed.BatchAsync(Database, run, source);
            await Database.ExecuteAsync("update orchestrator.batch set layout = 'RemoteOnly', remote_directory_id = $3, last_error = $2 where id = $1", id, GivenUp, directory);
            remote.Add(id);
        }

        await Database.ExecuteAsync("update orchestrator.batch set remote_batch_id = null, finished_at = '2026-11-01T00:00:00Z', unconfirmed_since = null");

        await Database.ExecuteAsync(Migrator.Embedded.Single(m => m.Name.Contains("unconfirmed_mark", StringComparison.Ordinal)).Sql);

        // Not the first of 'theirs': a later batch over its directory was sent already. Both of 'moved', each over its own.
        var since = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(
            [(withFiles, since), (remote[1], since), (remote[2], since), (remote[3], since), (remote[4], since)],
            await Database.ListAsync("select id, unconfirmed_since from orchestrator.batch where unconfirmed_since is not null order by id", r => (r.GetInt64(0), r.GetDateTime(1))));
    }
}
