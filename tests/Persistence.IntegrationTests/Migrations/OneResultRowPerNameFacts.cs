using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Persistence.FollowUp;
using BatchOrchestrator.Persistence.IntegrationTests.Monitoring;
using BatchOrchestrator.Persistence.Migrations;

namespace BatchOrchestrator.Persistence.IntegrationTests.Migrations;

/// <summary>
/// The migration that keys the PostgreSQL sink's rows by version and name, not by job too, keeps of the rows a name of a
/// version held the one of its current job, and every name's row of its own; the sink then replaces a name's row with a
/// later batch's result, never with an earlier one's written again.
/// </summary>
public sealed class OneResultRowPerNameFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task TheMigration_KeepsTheCurrentJobsRowOfEachName_AndDropsTheEarlierJobsRowBesideIt()
    {
        var batch = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "docs"), "docs");
        var file = await OpsSeed.FileAsync(Database, batch, "docs", "a.pdf");
        var current = await Database.ScalarAsync<string>("select job_id from orchestrator.file_version where id = $1", file);
        // The table as a release before the migration keyed it: by job too, so a version sent again kept both results.
        await Database.ExecuteAsync("""
            alter table orchestrator.follow_up_result drop constraint follow_up_result_pkey;
            alter table orchestrator.follow_up_result add primary key (file_version_id, job_id, relative_path);
            """);
        await Database.ExecuteAsync("""
            insert into orchestrator.follow_up_result (file_version_id, job_id, batch_id, source_name, relative_path, job_type, markdown, result, fetched_at)
            select $1, j.job_id, $2, 'docs', j.path, 'parse_v2', 'text', '{}', j.fetched_at
            from (values ('earlier-job', 'a.pdf', now() + interval '1 hour'), ($3, 'a.pdf', now()), ('earlier-job', 'copy of a.pdf', now())) j(job_id, path, fetched_at)
            """, file, batch, current);

        await Database.ExecuteAsync(Migration.Sql);

        Assert.Equal(
            [$"a.pdf {current}", "copy of a.pdf earlier-job"],
            await Database.ListAsync("select relative_path || ' ' || job_id from orchestrator.follow_up_result order by relative_path", r => r.GetString(0)));
        Assert.Equal(
            "PRIMARY KEY (file_version_id, relative_path)",
            await Database.ScalarAsync<string>("select pg_get_constraintdef(oid) from pg_constraint where conname = 'follow_up_result_pkey'"));
    }

    [Fact]
    public async Task TheSink_ReplacesANamesRowWithALaterBatchsResult_AndKeepsItWhenAnEarlierBatchsIsWrittenAgain()
    {
        var (_, first, file, second) = await OpsSeed.SentTwiceAsync(Database, "docs", "a.pdf");
        var sink = new PostgresFollowUpSink(new Lazy<NpgsqlDataSource>(Database.DataSource));
        FollowUpDocument Result(long batch, string job) =>
            new(file, batch, "docs", "a.pdf", "parse_v2", job, "# " + job, job, "{}", false, DateTimeOffset.UtcNow);

        await sink.WriteAsync([Result(first, "pjb-first")], Ct);
        await sink.WriteAsync([Result(second, "pjb-second")], Ct); // sent again: reprocessed, or escalated to its fallback
        await sink.WriteAsync([Result(first, "pjb-first")], Ct); // the first batch's follow-up retried later

        Assert.Equal(
            ["a.pdf pjb-second # pjb-second"],
            await Database.ListAsync("select relative_path || ' ' || job_id || ' ' || markdown from orchestrator.follow_up_result", r => r.GetString(0)));
    }

    [Fact]
    public async Task TheSink_StoresAResultHoldingNulCharacters_WithoutThem()
    {
        // Text parsed out of a PDF often holds NUL, which PostgreSQL's text and jsonb refuse: the whole chunk was refused.
        var run = await OpsSeed.RunAsync(Database, "docs");
        var batch = await OpsSeed.BatchAsync(Database, run, "docs");
        var file = await OpsSeed.FileAsync(Database, batch, "docs", "a.pdf");
        var sink = new PostgresFollowUpSink(new Lazy<NpgsqlDataSource>(Database.DataSource));
        var json = """{"markdown":"a\u0000b","path":"C:\\u0000x"}"""; // an escaped backslash before "u0000" is text, kept

        await sink.WriteAsync([new(file, batch, "docs", "a.pdf", "parse_v2", "pjb-1", "# a\0b", "a\0b", json, false, DateTimeOffset.UtcNow)], Ct);

        Assert.Equal(
            ("# ab", "ab", "ab", @"C:\u0000x"),
            (await Database.ListAsync(
                "select markdown, text, result->>'markdown', result->>'path' from orchestrator.follow_up_result",
                r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3))))[0]);
    }

    private static (int Version, string Name, string Sql) Migration =>
        Migrator.Embedded.Single(m => m.Name.Contains("one_result_row_per_name", StringComparison.Ordinal));
}
