using BatchOrchestrator.Persistence.IntegrationTests.Monitoring;
using BatchOrchestrator.Persistence.Migrations;

namespace BatchOrchestrator.Persistence.IntegrationTests.Migrations;

/// <summary>
/// The migration that records, as copies, the paths a release before copies were recorded hashed to another
/// path's version: those paths are never hashed again while unchanged, so without it they stay off the record.
/// </summary>
public sealed class RecordCopiesHashedBeforeCopiesFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task TheMigration_RecordsAPathHoldingAnotherPathsVersion_AsItsCopy_AndMakesTheDeliveredResultDueForIt()
    {
        var run = await OpsSeed.RunAsync(Database, "docs");
        var batch = await OpsSeed.BatchAsync(Database, run, "docs");
        var invoice = await OpsSeed.FileAsync(Database, batch, "docs", "invoice.pdf");
        await OpsSeed.FileAsync(Database, batch, "docs", "other.pdf");
        // As an older release left them: same content as invoice.pdf, hashed, and no row of their own.
        await SourceFileAsync("copy-of-invoice.pdf", "invoice.pdf");
        await SourceFileAsync("deleted-copy.pdf", "invoice.pdf", deleted: true);
        await SourceFileAsync("not-hashed-yet.pdf", null);
        // Under ContentHashAndPath a version's key names its path: content alone matches none.
        var keyed = await OpsSeed.RunAsync(Database, "keyed");
        var keyedBatch = await OpsSeed.BatchAsync(Database, keyed, "keyed");
        var keyedVersion = await OpsSeed.FileAsync(Database, keyedBatch, "keyed", "a.pdf");
        await Database.ExecuteAsync("update orchestrator.file_version set dedupe_key = dedupe_key || ':a.pdf' where id = $1", keyedVersion);
        await SourceFileAsync("b.pdf", "a.pdf", source: "keyed");

        await Database.ExecuteAsync(Migration.Sql);

        Assert.Equal([("docs", "copy-of-invoice.pdf", invoice)], await CopiesAsync());
        Assert.True(await Database.ScalarAsync<bool>("select follow_up_next_at is not null from orchestrator.batch where id = $1", batch));
        Assert.Equal(
            ["copy-of-invoice.pdf", "invoice.pdf", "other.pdf"],
            await Database.ListAsync("select relative_path from orchestrator.file_story where source_name = 'docs' order by relative_path", r => r.GetString(0)));

        await Database.ExecuteAsync(Migration.Sql); // again over its own result: nothing changes
        Assert.Equal([("docs", "copy-of-invoice.pdf", invoice)], await CopiesAsync());
    }

    private static (int Version, string Name, string Sql) Migration =>
        Migrator.Embedded.Single(m => m.Name.Contains("record_copies_hashed_before_copies", StringComparison.Ordinal));

    /// <summary>A scanned path whose content hashed as <paramref name="contentOf"/>'s (as OpsSeed hashes a version's path), or not yet hashed.</summary>
    private Task SourceFileAsync(string path, string? contentOf, bool deleted = false, string source = "docs") =>
        Database.ExecuteAsync("""
            insert into orchestrator.source_file (source_name, relative_path, size, mtime_ticks, first_seen_at, sha256, deleted_at)
            values ($1, $2, 10, 2000, now(), case when $3 = '' then null else sha256($3::bytea) end, case when $4 then now() end)
            """, source, path, contentOf ?? "", deleted);

    private async Task<List<(string, string, long)>> CopiesAsync() =>
        await Database.ListAsync(
            "select source_name, relative_path, file_version_id from orchestrator.file_copy order by id", r => (r.GetString(0), r.GetString(1), r.GetInt64(2)));
}
