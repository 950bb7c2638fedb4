using BatchOrchestrator.Core.FollowUp;
using NpgsqlTypes;

namespace BatchOrchestrator.Persistence.FollowUp;

/// <summary>
/// The PostgreSQL sink: each result as a row of <c>orchestrator.follow_up_result</c> (markdown, text,
/// result as jsonb, and the pages LlamaCloud failed when the result is partial), one statement per chunk, replaced when written again. A row per name: a copy's result is
/// its version's, under the copy's path (migration 0063); and per version, the latest job's: a version sent again (reprocessed,
/// escalated to its fallback) has its row replaced, never a second one beside it, and never by an older job's result written
/// again later, a retried follow-up of an earlier batch, say (migration 0077). Its data source is taken at its first write: the
/// sinks are built to check their names at start-up and by <c>config check</c>, which creates nothing, and building
/// the data source settles the embedded server's folder and password file.
/// </summary>
internal sealed partial class PostgresFollowUpSink(Lazy<NpgsqlDataSource> dataSource) : IFollowUpSink
{
    public string Name => FollowUpOptions.PostgresSink;

    public async Task WriteAsync(IReadOnlyList<FollowUpDocument> documents, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Value.CreateCommand("""
            insert into orchestrator.follow_up_result
                (file_version_id, job_id, batch_id, source_name, relative_path, job_type, markdown, text, result, fetched_at, failed_pages, failed_page_error)
            select d.file_version_id, d.job_id, d.batch_id, d.source_name, d.relative_path, d.job_type, d.markdown, d.text, d.result, d.fetched_at,
                   string_to_array(d.failed_pages, ',')::int[], d.failed_page_error
            from unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::timestamptz[], $11::text[], $12::text[])
                as d(file_version_id, job_id, batch_id, source_name, relative_path, job_type, markdown, text, result, fetched_at, failed_pages, failed_page_error)
            on conflict (file_version_id, relative_path) do update
            set job_id = excluded.job_id, batch_id = excluded.batch_id, job_type = excluded.job_type,
                markdown = excluded.markdown, text = excluded.text, result = excluded.result, fetched_at = excluded.fetched_at,
                failed_pages = excluded.failed_pages, failed_page_error = excluded.failed_page_error
            where follow_up_result.batch_id <= excluded.batch_id
            """);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. documents.Select(d => d.FileVersionId)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. documents.Select(d => d.JobId)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. documents.Select(d => d.BatchId)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. documents.Select(d => d.Source)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. documents.Select(d => d.RelativePath)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. documents.Select(d => d.JobType)] });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. documents.Select(d => WithoutNul(d.Markdown))] });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. documents.Select(d => WithoutNul(d.Text))] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. documents.Select(d => JsonWithoutNul(d.ResultJson))], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. documents.Select(d => d.FetchedAt)] });
        // A result's failed pages as "2,4" (null: a whole document): unnest cannot take an array per row.
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. documents.Select(d => d.FailedPages.Count == 0 ? null : string.Join(',', d.FailedPages))] });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. documents.Select(d => WithoutNul(d.FailedPageError))] });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // PostgreSQL's text cannot hold a NUL character, nor its jsonb the escape \u0000, and text parsed out of a PDF often
    // has one: the whole chunk was refused, every time, and the result never reached this sink. It is left out here
    // (docs/pipeline.md, "Sinks"); the FileSystem sink keeps the result as LlamaCloud gave it.
    private static string? WithoutNul(string? text) => text?.Replace("\0", "", StringComparison.Ordinal);

    private static string JsonWithoutNul(string json) => json.Contains("\\u0000", StringComparison.Ordinal) ? NulEscape().Replace(json, "") : json;

    // The escape itself, not an escaped backslash followed by "u0000": an even number of backslashes (none included) before it.
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=(?:^|[^\\])(?:\\\\)*)\\u0000")]
    private static partial System.Text.RegularExpressions.Regex NulEscape();
}
