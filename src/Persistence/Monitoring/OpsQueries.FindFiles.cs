using static BatchOrchestrator.Persistence.Monitoring.SqlTable;

namespace BatchOrchestrator.Persistence.Monitoring;

/// <summary>The Files page's search: versions and copies, most recently changed first.</summary>
internal sealed partial class OpsQueries
{
    /// <summary>
    /// Files whose path contains <paramref name="pathPart"/> (case-insensitive), optionally of one source, batch or
    /// state, most recently changed first: each file version, and each copy (a path with the same content as a
    /// version under another name) with that version's state and job, its own follow-up, and the version's path.
    /// </summary>
    public Task<OpsTable> FindFilesAsync(string? pathPart, string? source, long? batchId, int limit, CancellationToken cancellationToken, string? state = null)
    {
        var parameters = FindFilesParameters(pathPart, source, batchId, limit, state);
        return batchId is null
            ? QueryAsync(AllFilesSql, cancellationToken, parameters)
            : SqlTable.QueryPreparedAsync(dataSource, BatchFilesSql, cancellationToken, parameters);
    }

    /// <summary>The parameters of <see cref="FindFilesSql"/>; a test explains the query with them.</summary>
    internal static NpgsqlParameter[] FindFilesParameters(string? pathPart, string? source, long? batchId, int limit, string? state) =>
        [Text(pathPart), Text(source), Long(batchId), Int(limit), Text(state), StateParameters.Name(FollowUpState.FollowedUp), StateParameters.Name(FollowUpState.Recorded)];

    /// <summary>
    /// The query of <see cref="FindFilesAsync"/>: one for a batch's files, one for the others. One text for both had
    /// every search parse and plan the arms it never runs, and a batch's read its versions through a union of ids, each
    /// looked up by key again (docs/performance.md, "The operator's pages at scale").
    /// </summary>
    internal static string FindFilesSql(long? batchId) => batchId is null ? AllFilesSql : BatchFilesSql;

    /// <summary>
    /// The end of both queries: the newest $4 of the versions' and the copies' candidates, with what the page shows of
    /// each. Above the queries, as static fields are set in the order they are written.
    /// </summary>
    private static readonly string PageOfFound = $"""
        found as (
            select * from versions union all select * from copies
            order by updated_at desc, id desc
            limit $4)
        select fv.id as "File",
               f.source_name as "Source",
               f.relative_path as "Path",
               fv.state as "State",
               fv.size as "Size",
               fv.batch_id as "Batch",
               fv.job_id as "Job reference",
               fv.process_attempts as "Batch attempts",
               fv.error_class as "Error class",
               fv.error_message as "Error",
               case when k.id is null then r.follow_up_state else {CopyFollowUp("$6", "$7")} end as "Follow-up",
               case when k.id is not null then fv.relative_path end as "Same content as",
               -- Pages LlamaCloud failed in a job that still completed (Needs a person's partial-results links here).
               case when r.job_id = fv.job_id then array_to_string(r.failed_pages, ', ') end as "Pages failed",
               -- A path deleted or renamed away keeps its story (and its output): said here, so it is not read as current.
               (select sf.deleted_at from orchestrator.source_file sf where sf.source_name = f.source_name and sf.relative_path = f.relative_path) as "Deleted from folder",
               f.updated_at as "Updated"
        from found f
        join orchestrator.file_version fv on fv.id = f.id
        -- The page's copies by key. The limit keeps the planner from merging this back into a join, which hashed every copy.
        left join lateral (select c.id, c.job_id, c.follow_up_state from orchestrator.file_copy c where c.id = f.copy_id limit 1) k on true
        left join lateral (
            select br.job_id, br.follow_up_state, br.failed_pages from orchestrator.batch_result br
            where br.file_version_id = fv.id order by br.id desc limit 1) r on true
        order by f.updated_at desc, f.id desc
        """;

    // Newest first without sorting the whole union (docs/performance.md, "The operator's pages at scale"): each arm takes
    // its own newest $4, and the page is the newest $4 of them all, the same rows as sorting the whole union.
    private static readonly string AllFilesSql = $"""
        -- The versions by a top-N read, as no index names updated_at. A copy ranks by the later of its own change and its
        -- version's, so once the versions fill the page, only a copy changed no earlier than the page's last version, or
        -- whose version did, can be on it: those are the candidates.
        with versions as (
            select fv.id, fv.source_name, fv.relative_path, null::bigint as copy_id, fv.updated_at
            from orchestrator.file_version fv
            where {Filters("fv", "fv")}
            order by fv.updated_at desc, fv.id desc
            limit $4),
        bound as (select case when count(*) < $4 then '-infinity'::timestamptz else min(updated_at) end as t from versions),
        copies as (
            select fv.id, k.source_name, k.relative_path, k.id as copy_id, greatest(fv.updated_at, k.updated_at) as updated_at
            from orchestrator.file_copy k join orchestrator.file_version fv on fv.id = k.file_version_id
            where k.id in (
                    select c.id from orchestrator.file_copy c where c.updated_at >= (select t from bound)
                    union all
                    select c.id from orchestrator.file_version v join orchestrator.file_copy c on c.file_version_id = v.id
                    where (select t from bound) > '-infinity' and v.updated_at >= (select t from bound))
              and {Filters("k", "fv")}
            order by 5 desc, 1 desc
            limit $4),
        {PageOfFound}
        """;

    private static readonly string BatchFilesSql = $"""
        -- A batch's versions through its index, and the versions it reported on that a later batch took since (one set
        -- subtracted from the other in memory: no version looked up by key twice).
        with versions as (
            (select fv.id, fv.source_name, fv.relative_path, null::bigint as copy_id, fv.updated_at
             from orchestrator.file_version fv
             where fv.batch_id = $3
               and {Filters("fv", "fv")}
             order by fv.updated_at desc, fv.id desc
             limit $4)
            union all
            (select fv.id, fv.source_name, fv.relative_path, null::bigint, fv.updated_at
             from orchestrator.file_version fv
             where fv.id in (
                     select br.file_version_id from orchestrator.batch_result br where br.batch_id = $3
                     except
                     select v.id from orchestrator.file_version v where v.batch_id = $3)
               and {Filters("fv", "fv")}
             order by fv.updated_at desc, fv.id desc
             limit $4)),
        -- Its copies through its versions, each looked up by version: joined the other way round, the planner read every
        -- copy of every source into a hash for the batch's thousand versions (offset 0 keeps it from doing so).
        copies as (
            select fv.id, k.source_name, k.relative_path, k.id as copy_id, greatest(fv.updated_at, k.updated_at) as updated_at
            from orchestrator.file_version fv
            cross join lateral (select c.id, c.source_name, c.relative_path, c.updated_at from orchestrator.file_copy c where c.file_version_id = fv.id offset 0) k
            where fv.batch_id = $3
              and {Filters("k", "fv")}
            order by 5 desc, 1 desc
            limit $4),
        {PageOfFound}
        """;

    /// <summary>The search's filters on a row named <paramref name="named"/> (its path and source) and its version's state.</summary>
    private static string Filters(string named, string version) =>
        $"($1::text is null or {named}.relative_path ilike {Like}) and ($2::text is null or {named}.source_name = $2) and ($5::text is null or {version}.state = $5)";

    /// <summary>Columns of <see cref="FindFilesAsync"/> shown only once some file has a value: few results lack pages.</summary>
    public static readonly IReadOnlySet<string> FilesHiddenWhileEmpty = new HashSet<string>(StringComparer.Ordinal) { "Pages failed" };

    /// <summary>$1 as a case-insensitive LIKE pattern matching it anywhere, its wildcards taken literally.</summary>
    private const string Like = """'%' || replace(replace(replace($1, '\', '\\'), '%', '\%'), '_', '\_') || '%'""";
}
