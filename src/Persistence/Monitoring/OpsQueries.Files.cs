using BatchOrchestrator.Core.Retries;
using static BatchOrchestrator.Persistence.Monitoring.SqlTable;

namespace BatchOrchestrator.Persistence.Monitoring;

/// <summary>The file page's reads: one path's versions, batch history, outputs, copies and the scanner's look at it.</summary>
internal sealed partial class OpsQueries
{
    /// <summary>Source and path of one file version, or null.</summary>
    public async Task<(string Source, string Path)?> FileIdentityAsync(long fileVersionId, CancellationToken cancellationToken)
    {
        var table = await QueryAsync(
            "select source_name, relative_path from orchestrator.file_version where id = $1", cancellationToken, Long(fileVersionId));
        return table.Rows.Count == 0 ? null : ((string)table.Rows[0][0]!, (string)table.Rows[0][1]!);
    }

    /// <summary>The scanner's last look at a path.</summary>
    public Task<OpsTable> FileLookAsync(string source, string path, CancellationToken cancellationToken) => QueryAsync("""
        select sf.size as "Size",
               sf.first_seen_at as "Unchanged since",
               encode(sf.sha256, 'hex') as "SHA-256",
               sf.deleted_at as "Deleted"
        from orchestrator.source_file sf
        where sf.source_name = $1 and sf.relative_path = $2
        """, cancellationToken, Text(source), Text(path));

    /// <summary>
    /// How many failed versions of one path each of an operator's retries would send again: the plain one, and the one that
    /// takes permanent failures too. Read by the rule the retry itself applies (<see cref="RetryRule.LeftAloneByOperatorRetry"/>,
    /// in the folder now): an old version's failure (the file changed or deleted since) is left by both, so neither is offered.
    /// </summary>
    public async Task<(int Plain, int WithPermanent)> RetryableFailuresAsync(string source, string path, CancellationToken cancellationToken)
    {
        var table = await QueryAsync($"""
            select (count(*) filter (where fv.error_class is null or fv.error_class <> all($4)))::int,
                   (count(*) filter (where fv.error_class is null or fv.error_class <> all($5)))::int
            from orchestrator.file_version fv
            where fv.source_name = $1 and fv.relative_path = $2 and fv.state = any($3) and {Sources.InTheFolderNow.Condition}
            """, cancellationToken, Text(source), Text(path), FileVersionLifecycle.OperatorRetry.FromStates(),
            StateParameters.Names(RetryRule.LeftAloneByOperatorRetry(ForcedRetry.None)), StateParameters.Names(RetryRule.LeftAloneByOperatorRetry(ForcedRetry.Permanent)));
        return ((int)table.Rows[0][0]!, (int)table.Rows[0][1]!);
    }

    /// <summary>The newest <paramref name="limit"/> versions of one path, newest first, with their job reference or error.</summary>
    public Task<OpsTable> FileVersionsAsync(string source, string path, int limit, CancellationToken cancellationToken) => QueryAsync("""
        select fv.id as "File",
               fv.state as "State",
               fv.size as "Size",
               left(encode(fv.sha256, 'hex'), 12) as "SHA-256",
               fv.created_at as "Discovered",
               fv.run_id as "Run",
               fv.batch_id as "Batch",
               fv.remote_file_id as "Remote file",
               fv.job_type as "Job type",
               fv.job_id as "Job reference",
               fv.process_attempts as "Batch attempts",
               fv.error_class as "Error class",
               fv.error_message as "Error",
               fv.updated_at as "Updated"
        from orchestrator.file_version fv
        where fv.source_name = $1 and fv.relative_path = $2
        order by fv.id desc
        limit $3
        """, cancellationToken, Text(source), Text(path), Int(limit));

    /// <summary>
    /// What each batch said about each version of one path, the newest <paramref name="limit"/>: the file's batch history,
    /// job references, errors and follow-up.
    /// </summary>
    public Task<OpsTable> FileHistoryAsync(string source, string path, int limit, CancellationToken cancellationToken) => QueryAsync($"""
        select br.recorded_at as "Recorded",
               br.file_version_id as "File",
               br.batch_id as "Batch",
               b.state as "Batch state",
               b.remote_batch_id as "Remote batch",
               br.source_directory_file_id as "Remote file",
               br.job_type as "Job type",
               br.job_id as "Job reference",
               -- as the Runs and Batches pages count it: an item the batch called done whose job failed is a failed file
               {Outcomes.Case(3)} as "Outcome",
               br.error_class as "Error class",
               br.error_message as "Error",
               br.remote_job_status as "Job status",
               br.follow_up_state as "Follow-up",
               br.follow_up_attempts as "Follow-up attempts",
               -- A job LlamaCloud failed leaves its own error here, as a fetch that failed leaves ours: named for both.
               br.follow_up_error as "Job or follow-up error",
               array_to_string(br.failed_pages, ', ') as "Pages failed",
               br.failed_page_error as "Pages failed because",
               br.stuck_since as "Stuck since"
        from orchestrator.batch_result br
        join orchestrator.file_version fv on fv.id = br.file_version_id
        join orchestrator.batch b on b.id = br.batch_id
        where fv.source_name = $1 and fv.relative_path = $2
        order by br.id desc
        limit $8
        """, cancellationToken, [Text(source), Text(path), .. Outcomes.Parameters(), Int(limit)]);

    /// <summary>
    /// The follow-up output of the newest <paramref name="limit"/> job references of one path: when it was fetched and,
    /// where the PostgreSQL sink holds it, the start of the markdown and of the result.
    /// </summary>
    public Task<OpsTable> FileOutputsAsync(string source, string path, int limit, CancellationToken cancellationToken) => QueryAsync("""
        select br.job_type as "Job type",
               br.job_id as "Job reference",
               br.follow_up_state as "Follow-up",
               br.followed_up_at as "Fetched",
               left(r.markdown, 400) as "Markdown (start)",
               left(r.result::text, 400) as "Result (start)"
        from orchestrator.batch_result br
        join orchestrator.file_version fv on fv.id = br.file_version_id
        left join orchestrator.follow_up_result r on r.file_version_id = br.file_version_id and r.job_id = br.job_id and r.relative_path = fv.relative_path
        where fv.source_name = $1 and fv.relative_path = $2 and br.job_id is not null
        order by br.id desc
        limit $3
        """, cancellationToken, Text(source), Text(path), Int(limit));

    /// <summary>
    /// The other names with the content of a version of one path (copies: not sent or billed again), each with
    /// the delivery of that version's result under its own name; the first <paramref name="limit"/> by path.
    /// </summary>
    public Task<OpsTable> FileCopiesAsync(string source, string path, int limit, CancellationToken cancellationToken) => QueryAsync($"""
        select k.relative_path as "Path",
               fv.id as "File",
               k.found_at as "Found",
               {CopyFollowUp("$3", "$4")} as "Follow-up",
               case when k.job_id = r.job_id then k.followed_up_at end as "Delivered",
               case when k.job_id = r.job_id then k.follow_up_error end as "Follow-up error"
        from orchestrator.file_copy k
        join orchestrator.file_version fv on fv.id = k.file_version_id
        left join lateral (
            select br.job_id, br.follow_up_state from orchestrator.batch_result br
            where br.file_version_id = fv.id order by br.id desc limit 1) r on true
        where fv.source_name = $1 and fv.relative_path = $2
        order by k.relative_path
        limit $5
        """, cancellationToken, Text(source), Text(path), StateParameters.Name(FollowUpState.FollowedUp), StateParameters.Name(FollowUpState.Recorded), Int(limit));
}
