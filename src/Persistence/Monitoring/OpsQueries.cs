using BatchOrchestrator.Persistence.Sources;
using static BatchOrchestrator.Persistence.Monitoring.SqlTable;

namespace BatchOrchestrator.Persistence.Monitoring;

/// <summary>
/// What the dashboard pages, the <c>status</c> verb and the metrics read. Each query names its
/// columns with display aliases; a column added to a <c>select</c> (an error class, a follow-up
/// output) appears on the page with no other change. Reads only; all writes go through Core's use cases.
/// </summary>
internal sealed partial class OpsQueries(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// The follow-up state of copy <c>k</c> (file_copy) of version <c>fv</c> whose latest batch result is <c>r</c>: what
    /// delivering r's result under the copy's name came to, or, before that, waiting (Recorded) once the result is in
    /// hand, else r's own. <paramref name="followedUp"/> and <paramref name="recorded"/> name the two states' parameters.
    /// </summary>
    private static string CopyFollowUp(string followedUp, string recorded) => $"""
        case when k.job_id = r.job_id then k.follow_up_state when r.follow_up_state = {followedUp} then {recorded} else r.follow_up_state end
        """;

    /// <summary>
    /// The configured sources (name and current configuration fingerprint) with their last run, files counted
    /// by state, and how many recorded files were processed under another configuration.
    /// </summary>
    public Task<OpsTable> SourcesAsync(IReadOnlyList<(string Name, string Fingerprint)> configured, CancellationToken cancellationToken) => QueryAsync($"""
        with names as (select name, fingerprint, ord from unnest($1::text[], $2::text[]) with ordinality as n(name, fingerprint, ord))
        select n.name as "Source",
               r.id as "Last run",
               r.state as "Last run state",
               r.started_at as "Last run started",
               r.finished_at as "Last run finished",
               -- Each file in the folder now once, by its latest version: a version whose path has a newer version, or
               -- has become a copy since, is that path's history (the file page lists it), not another file; a path
               -- deleted or renamed away is no file of the folder any more (its history stays on the file page). A copy
               -- (the same content as a file under another name, sent and billed once) counts by the state of the
               -- version it shares.
               (select jsonb_object_agg(state, n) from (
                   select f.state, count(*) as n from (
                       select fv.state from orchestrator.file_version fv
                       where fv.source_name = n.name
                         and exists (
                             select 1 from orchestrator.source_file sf
                             where sf.source_name = fv.source_name and sf.relative_path = fv.relative_path and sf.deleted_at is null)
                         and not exists (
                             select 1 from orchestrator.file_version nv
                             where nv.source_name = fv.source_name and nv.relative_path = fv.relative_path and nv.id > fv.id)
                         and not exists (
                             select 1 from orchestrator.file_copy k where k.source_name = fv.source_name and k.relative_path = fv.relative_path)
                       union all
                       select fv.state from orchestrator.file_copy k join orchestrator.file_version fv on fv.id = k.file_version_id
                       where k.source_name = n.name
                         and exists (
                             select 1 from orchestrator.source_file sf
                             where sf.source_name = k.source_name and sf.relative_path = k.relative_path and sf.deleted_at is null)) f
                   group by f.state) counts) as "Files by state",
               (select count(*) from orchestrator.batch b
                where b.source_name = n.name and b.state <> all($3)) as "Open batches",
               -- Stuck now: the watchdog's mark stays once the batch ends (history, on the Batches page).
               (select count(*) from orchestrator.batch b
                where b.source_name = n.name and b.stuck_since is not null and b.state <> all($3)) as "Stuck batches",
               (select count(*) from orchestrator.source_file_problem p where p.source_name = n.name) as "Files set aside",
               n.fingerprint as "Configuration",
               -- Files of the folder now, as above and as Needs a person counts them (a version edited since or deleted is history).
               (select count(*) from orchestrator.batch b join orchestrator.file_version fv on fv.batch_id = b.id
                where b.source_name = n.name and b.configuration_fingerprint <> n.fingerprint and fv.state = $4
                  and {Batches.ProcessedUnder.Fingerprint("b", "fv")} <> n.fingerprint
                  and {InTheFolderNow.Condition}) as "Under an older configuration"
        from names n
        left join lateral (
            select id, state, started_at, finished_at from orchestrator.run
            where source_name = n.name order by id desc limit 1) r on true
        order by n.ord
        """, cancellationToken, TextArray(configured.Select(c => c.Name)), TextArray(configured.Select(c => c.Fingerprint)), StateParameters.Names(BatchLifecycle.Ended),
        StateParameters.Name(FileVersionState.Succeeded));

    /// <summary>
    /// Recent runs, newest first; progress counts the files of the run's batches that have ended (fixed once they
    /// have: a later batch taking a version again does not move it out of this run's figures), files ended
    /// by state how they ended (<see cref="Outcomes"/>, as the overview counts them), and
    /// follow-ups the job references whose result was fetched or given up on (a run is Completed once
    /// its batches are recorded, while follow-ups may still be going). Remote artefacts are what remote
    /// hygiene deleted of the run's files, jobs and directories, and what is still listed for deletion. With
    /// <paramref name="withChangesOnly"/>, the runs that found nothing new are left out: a watched source makes one at
    /// every event and a schedule one a night, and ten of them would push the run that failed out of sight.
    /// </summary>
    public Task<OpsTable> RunsAsync(string? source, int limit, CancellationToken cancellationToken, bool withChangesOnly = false) => QueryAsync($"""
        select r.id as "Run",
               r.source_name as "Source",
               r.trigger as "Trigger",
               r.state as "State",
               r.started_at as "Started",
               r.finished_at as "Finished",
               r.files_seen as "Files seen",
               r.new_versions as "New versions",
               r.batch_count as "Batches",
               -- Files this run's planning held under a spending cap and nobody let go yet: not in Progress, not done either.
               (select count(*) from orchestrator.file_version fv where fv.held_run_id = r.id and fv.state = $5) as "Held",
               -- Files that ended in the run's batches (as the outcomes count them: a version a later batch took
               -- again, as a mirror's does, keeps its outcome here), over those and the files still in them.
               (select count(*) filter (where p.ended) || '/' || count(*)
                from orchestrator.batch b
                cross join lateral (
                    select true as ended from {Outcomes.OfBatch("b", 6)} f
                    union all
                    select false from orchestrator.file_version fv where fv.batch_id = b.id and fv.state <> all($3)) p
                where b.run_id = r.id) as "Progress",
               -- The overview's outcomes of the run, so a run whose every file failed says so here too.
               (select jsonb_object_agg(outcome, n) from (
                   select f.outcome, count(*) as n
                   from orchestrator.batch b cross join {Outcomes.OfBatch("b", 6)} f
                   where b.run_id = r.id group by f.outcome) counts) as "Files ended by state",
               (select count(*) filter (where br.follow_up_state <> all($4)) || '/' || count(br.follow_up_state)
                from orchestrator.batch b join orchestrator.batch_result br on br.batch_id = b.id
                where b.run_id = r.id) as "Follow-ups",
               (select count(*) filter (where a.deleted_at is not null) || ' deleted / ' || count(*) filter (where a.deleted_at is null) || ' pending'
                from orchestrator.remote_artefact a where a.run_id = r.id having count(*) > 0) as "Remote artefacts",
               -- A run's own failure, else its latest batch that failed, here or at LlamaCloud: a batch that failed as
               -- a whole (a RemoteOnly directory's has no file of ours to show it) leaves the run Completed.
               coalesce(r.error, (
                   select 'batch ' || b.id || case when b.state = $11 then ' failed' else ' failed at LlamaCloud' end || coalesce(': ' || b.last_error, '')
                   from orchestrator.batch b
                   where b.run_id = r.id and (b.state = $11 or b.remote_status = $11)
                   order by b.id desc limit 1)) as "Error"
        from orchestrator.run r
        where ($1::text is null or r.source_name = $1)
          -- A run that found nothing new, unless its new files were all held (as the overview's last run), is left out if asked.
          and (not $12 or r.state <> $13 or exists (select 1 from orchestrator.file_version fv where fv.held_run_id = r.id))
        order by r.id desc
        limit $2
        """, cancellationToken, [Text(source), Int(limit), StateParameters.Names(FileVersionLifecycle.Ended), StateParameters.Names(FollowUpLifecycle.Waiting), StateParameters.Name(FileVersionState.Held), .. Outcomes.Parameters(), StateParameters.Name(BatchState.Failed), Bool(withChangesOnly), StateParameters.Name(RunState.NoChanges)]);

    /// <summary>Recent batches, newest first, optionally of one run or source; open ones only if asked.</summary>
    public Task<OpsTable> BatchesAsync(long? runId, string? source, bool openOnly, int limit, CancellationToken cancellationToken) => QueryAsync($"""
        select b.id as "Batch",
               b.run_id as "Run",
               b.source_name as "Source",
               b.state as "State",
               b.remote_status as "Remote status",
               b.remote_batch_id as "Remote batch",
               b.file_count as "Files",
               -- Its files as they are; a file a later batch took on (a retry, or a mirror's next batch, which holds every
               -- file again) as this batch left it: by the outcome it recorded, read as the Runs page reads it (a job
               -- that failed is a failed file, whatever the batch said of its item).
               (select jsonb_object_agg(state, n) from (
                   select state, count(*) as n from (
                       select fv.state from orchestrator.file_version fv where fv.batch_id = b.id
                       union all
                       select {Outcomes.Case(7)} from orchestrator.batch_result br join orchestrator.file_version fv on fv.id = br.file_version_id
                       where br.batch_id = b.id and fv.batch_id is distinct from b.id) states
                   group by state) counts) as "Files by state",
               b.created_at as "Created",
               b.last_polled_at as "Last polled",
               b.poll_count as "Polls",
               b.cancel_requested_at as "Cancel requested",
               b.stuck_since as "Stuck since",
               -- Job references the watchdog flagged whose result is still awaited, as the stuck gauge and "Needs a person"
               -- count them; of those, what "Cancel stuck jobs" (the 'cancel jobs' verb) cannot cancel: a classifier's job
               -- (we speak no cancel for it), or a reference without a job id or type (docs/operations.md, "A job that never ends").
               (select count(*) from orchestrator.batch_result br
                where br.batch_id = b.id and br.stuck_since is not null and br.follow_up_state = $12) as "Stuck jobs",
               (select count(*) from orchestrator.batch_result br
                where br.batch_id = b.id and br.stuck_since is not null and br.follow_up_state = $12
                  and not coalesce(br.job_id is not null and br.job_type <> $13, false)) as "Stuck, cannot cancel",
               -- What "Retry follow-ups" can take again, as "Needs a person" counts it: a result of a job that succeeded
               -- which a sink could not take. A failed or cancelled job's result ends FollowUpFailed too, but its file's
               -- own state says so, and no follow-up would help it.
               (select count(*) from orchestrator.batch_result br
                join orchestrator.file_version v on v.id = br.file_version_id and v.job_id = br.job_id
                where br.batch_id = b.id and br.follow_up_state = $5 and v.state = $7)
               -- and deliveries of its results under a copy's name (the same content as its file, under another path)
               + (select count(*) from orchestrator.file_copy k join orchestrator.file_version v on v.id = k.file_version_id
                  where k.follow_up_state = $5 and v.batch_id = b.id and k.job_id = v.job_id and v.state = $7) as "Follow-ups failed",
               b.last_error as "Last error"
        from orchestrator.batch b
        where ($1::bigint is null or b.run_id = $1)
          and ($2::text is null or b.source_name = $2)
          and (not $3 or b.state <> all($6))
        order by b.id desc
        limit $4
        """,
        cancellationToken,
        [
            Long(runId),
            Text(source),
            Bool(openOnly),
            Int(limit),
            StateParameters.Name(FollowUpState.FollowUpFailed),
            StateParameters.Names(BatchLifecycle.Ended),
            .. Outcomes.Parameters(),
            StateParameters.Name(FollowUpState.Recorded),
            Text(Core.LlamaCloud.BatchJobTypes.V1Classify),
        ]);

    /// <summary>Columns of <see cref="BatchesAsync"/> shown only once some batch has a value: few stuck jobs are beyond 'cancel jobs'.</summary>
    public static readonly IReadOnlySet<string> BatchesHiddenWhileEmpty = new HashSet<string>(StringComparer.Ordinal) { "Stuck, cannot cancel" };

    /// <summary><see cref="Like"/> for another parameter than $1. A constant, <see cref="Like"/> is there before any static SQL that uses it.</summary>
    private static string LikeAnywhere(string parameter) => Like.Replace("$1", parameter, StringComparison.Ordinal);

    /// <summary>
    /// Files the scanner found but set aside (unreadable, empty, too large, a symlink skipped …), with
    /// the reason; optionally of one source or one path, or of the <paramref name="configured"/> sources only: no scan
    /// clears what a removed source set aside, and the counts beside the list (and the gauge) leave it out; or those whose
    /// path contains <paramref name="pathContains"/>, as the Files page's search finds versions.
    /// </summary>
    public Task<OpsTable> ProblemsAsync(
        string? source, string? path, int limit, CancellationToken cancellationToken, IReadOnlyList<string>? configured = null, string? pathContains = null) => QueryAsync($"""
        select p.source_name as "Source",
               p.relative_path as "Path",
               p.kind as "Kind",
               p.reason as "Reason",
               p.first_seen_at as "Since",
               p.last_seen_at as "Last seen"
        from orchestrator.source_file_problem p
        where ($1::text is null or p.source_name = $1)
          and ($2::text is null or p.relative_path = $2)
          and ($4::text[] is null or p.source_name = any($4))
          and ($5::text is null or p.relative_path ilike {LikeAnywhere("$5")})
        order by p.last_seen_at desc, p.source_name, p.relative_path
        limit $3
        """, cancellationToken, Text(source), Text(path), Int(limit), OptionalArray(configured), Text(pathContains));

    /// <summary>Source and run of a batch, for log scopes; null when there is no such batch.</summary>
    public async Task<(string Source, long RunId)?> BatchOwnerAsync(long batchId, CancellationToken cancellationToken)
    {
        var table = await QueryAsync("select source_name, run_id from orchestrator.batch where id = $1", cancellationToken, Long(batchId));
        return table.Rows.Count == 0 ? null : ((string)table.Rows[0][0]!, (long)table.Rows[0][1]!);
    }

    /// <summary>Whether a run of this id exists: a verb given a mistyped id says so and fails, as a script needs.</summary>
    public async Task<bool> RunExistsAsync(long runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select exists (select 1 from orchestrator.run where id = $1)");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private Task<OpsTable> QueryAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters) =>
        SqlTable.QueryAsync(dataSource, sql, cancellationToken, parameters);
}
