using BatchOrchestrator.Core.FollowUp;

namespace BatchOrchestrator.Persistence.FollowUp;

/// <summary>The PostgreSQL sink's rows as kept results: the version's own delivery first, else the latest under any name.</summary>
internal sealed class NpgsqlKeptResults(NpgsqlDataSource dataSource) : IKeptResults
{
    public async Task<KeptResult?> FindAsync(long fileVersionId, string jobId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select r.markdown, r.text, r.result::text, r.failed_pages, r.failed_page_error
            from orchestrator.follow_up_result r
            join orchestrator.file_version v on v.id = r.file_version_id
            where r.file_version_id = $1 and r.job_id = $2
            order by (r.relative_path = v.relative_path) desc, r.fetched_at desc
            limit 1
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fileVersionId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = jobId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new KeptResult(reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2))
            {
                FailedPages = reader.IsDBNull(3) ? [] : reader.GetFieldValue<int[]>(3),
                FailedPageError = reader.IsDBNull(4) ? null : reader.GetString(4),
            }
            : null;
    }
}
