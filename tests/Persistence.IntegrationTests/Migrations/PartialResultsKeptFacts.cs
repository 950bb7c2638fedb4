using BatchOrchestrator.Persistence.IntegrationTests.Monitoring;
using BatchOrchestrator.Persistence.Migrations;

namespace BatchOrchestrator.Persistence.IntegrationTests.Migrations;

/// <summary>
/// The migration that gives the PostgreSQL sink's rows their failed pages fills them in for results delivered before it
/// that the job reference already recorded as partial, a copy's row too; a whole document's row stays without.
/// </summary>
public sealed class PartialResultsKeptFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task TheMigration_MarksTheRowsOfResultsAlreadyRecordedAsPartial_AndNoOther()
    {
        var batch = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "docs"), "docs");
        var scan = await OpsSeed.FileAsync(Database, batch, "docs", "scan.pdf");
        await OpsSeed.FileAsync(Database, batch, "docs", "whole.pdf");
        await Database.ExecuteAsync(
            "update orchestrator.batch_result set failed_pages = '{2,4}', failed_page_error = 'Page 2 could not be processed' where file_version_id = $1", scan);
        // The sink's rows as a release before the migration wrote them: scan.pdf's, a copy's of it, and whole.pdf's.
        await Database.ExecuteAsync("""
            insert into orchestrator.follow_up_result (file_version_id, job_id, batch_id, source_name, relative_path, job_type, markdown, result, fetched_at)
            select v.id, v.job_id, v.batch_id, v.source_name, p.path, 'parse_v2', 'text', '{}', now()
            from orchestrator.file_version v
            cross join lateral (values (v.relative_path), (case when v.relative_path = 'scan.pdf' then 'copy of scan.pdf' end)) p(path)
            where p.path is not null
            """);
        await Database.ExecuteAsync("update orchestrator.follow_up_result set failed_pages = null, failed_page_error = null");

        await Database.ExecuteAsync(Migration.Sql);
        var after = await RowsAsync();
        await Database.ExecuteAsync(Migration.Sql); // again over its own result: nothing changes

        Assert.Equal(
            ["copy of scan.pdf 2,4 Page 2 could not be processed", "scan.pdf 2,4 Page 2 could not be processed", "whole.pdf - -"],
            after);
        Assert.Equal(after, await RowsAsync());
    }

    private static (int Version, string Name, string Sql) Migration =>
        Migrator.Embedded.Single(m => m.Name.Contains("partial_results_kept", StringComparison.Ordinal));

    private Task<List<string>> RowsAsync() => Database.ListAsync(
        "select relative_path || ' ' || coalesce(array_to_string(failed_pages, ','), '-') || ' ' || coalesce(failed_page_error, '-') from orchestrator.follow_up_result order by relative_path",
        r => r.GetString(0));
}
