using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Persistence.Sources;
using static BatchOrchestrator.Persistence.Monitoring.SqlTable;

namespace BatchOrchestrator.Persistence.Monitoring;

/// <summary>
/// "Does anything need me?": one row per thing an operator should act on, of every kind at once, each
/// with its source, the batch or run it is about, how many, and since when. The Worker turns each kind
/// into a sentence and a link to the page (and button) that acts on it. A new kind (an open circuit, a
/// cap reached) is one more <c>union all</c> branch here and one entry in the Worker's catalogue.
/// </summary>
internal sealed class AttentionQueries(NpgsqlDataSource dataSource)
{
    /// <summary>Every kind the query returns, for the Worker's catalogue to be checked against.</summary>
    public static readonly IReadOnlyList<string> Kinds =
        ["stuck-batch", "stuck-jobs", "follow-ups-failed", "permanent-failures", "auth-failures", "last-run-failed", "webhooks-missed", "older-configuration", "project-paused", "held-by-cap", "results-undelivered", "retries-used-up", "partial-results", "patterns-took-none", "unconfirmed-batch"];

    /// <summary><paramref name="configured"/>: the sources by name with their current configuration fingerprint and MaxAttempts.</summary>
    public Task<OpsTable> NeedsAPersonAsync(
        IReadOnlyList<(string Name, string Fingerprint, int MaxAttempts)> configured, TimeSpan webhookWindow, CancellationToken cancellationToken) =>
        QueryAsync(dataSource, $"""
        with names as (select name, fingerprint, max_attempts from unnest($1::text[], $2::text[], $14::int[]) as n(name, fingerprint, max_attempts))
        select kind as "Kind", source as "Source", batch as "Batch", run as "Run", n as "Count", since as "Since", detail as "Detail" from (
            select 'stuck-batch' as kind, b.source_name as source, b.id as batch, b.run_id as run, 1::bigint as n, b.stuck_since as since, b.state as detail
            from orchestrator.batch b where b.stuck_since is not null and b.state <> all($4)
            union all
            -- Detail names a classifier batch: 'cancel jobs' cannot cancel its jobs (docs/operations.md, "A job that never ends").
            select 'stuck-jobs', b.source_name, b.id, b.run_id, count(*), min(br.stuck_since), case when b.job_type = $17 then b.job_type end
            from orchestrator.batch_result br join orchestrator.batch b on b.id = br.batch_id
            where br.stuck_since is not null and br.follow_up_state = any($5)
            group by b.source_name, b.id, b.run_id, b.job_type
            union all
            select 'follow-ups-failed', b.source_name, b.id, b.run_id, count(*), max(f.followed_up_at), max(f.follow_up_error)
            from (
                -- Only what "Retry follow-ups" can take again: a result of a job that succeeded, which a sink could not
                -- take. A job that failed or was cancelled ends as FollowUpFailed too, but its file's own state says so
                -- (a permanent failure below, or a transient one the next run retries): no follow-up would help it.
                select br.batch_id, br.followed_up_at, br.follow_up_error
                from orchestrator.batch_result br join orchestrator.file_version v on v.id = br.file_version_id and v.job_id = br.job_id
                where br.follow_up_state = $6 and v.state = $11
                union all
                -- a result that could not be delivered under a copy's name (the same content as its file, another path)
                select v.batch_id, k.followed_up_at, k.follow_up_error
                from orchestrator.file_copy k join orchestrator.file_version v on v.id = k.file_version_id
                where k.follow_up_state = $6 and k.job_id = v.job_id and v.state = $11) f
            join orchestrator.batch b on b.id = f.batch_id
            group by b.source_name, b.id, b.run_id
            union all
            -- Results delivered without pages LlamaCloud failed in a job that still COMPLETED (docs/llamacloud-api.md §6.2):
            -- billed, and what parsed is there, but not the whole document. Listed while the file's latest version is that one,
            -- of a configured source, as the partial_results gauge counts them.
            select 'partial-results', b.source_name, b.id, b.run_id, count(*), min(br.followed_up_at),
                   min(fv.relative_path || ': ' || case when cardinality(br.failed_pages) = 1 then 'page ' else 'pages ' end
                       || array_to_string(br.failed_pages, ', ') || coalesce(' (' || br.failed_page_error || ')', ''))
            from orchestrator.batch_result br
            {PartialResults.JoinVersion}
            join orchestrator.batch b on b.id = br.batch_id
            where {PartialResults.Condition(16)} and b.source_name = any($1)
            group by b.source_name, b.id, b.run_id
            union all
            -- Permanent (an unsupported type, a corrupt file) and auth (the key was refused) failures wait for a person: of a
            -- configured source, as the gauges count files (a removed source's are history, and 'retry' refuses its name).
            select case when fv.error_class = $8 then 'auth-failures' else 'permanent-failures' end, fv.source_name, null, null,
                   -- one reason, or one of several, said to be one: each file's own is on the Files page
                   count(*), min(fv.updated_at), case when count(distinct coalesce(fv.error_message, '')) > 1
                       then 'for ' || count(distinct coalesce(fv.error_message, '')) || ' different reasons, such as ' || max(fv.error_message)
                       else max(fv.error_message) end
            from orchestrator.file_version fv
            where fv.error_class = any($7) and fv.state = $9 and fv.source_name = any($1) and {InTheFolderNow.Condition}
            group by fv.source_name, fv.error_class
            union all
            -- A batch LlamaCloud may have made (its submit step could not check), until an operator says it was looked for:
            -- by its row, not its files', as a RemoteOnly batch has none of ours and one whose files all changed since may
            -- still bill (Count: the files it was made for; Detail names its directory).
            select 'unconfirmed-batch', b.source_name, b.id, b.run_id, b.file_count::bigint, b.unconfirmed_since, b.last_error
            from orchestrator.batch b
            where b.unconfirmed_since is not null and b.source_name = any($1)
            union all
            -- Failures a later batch could cure (the service was out or busy) that used up their source's MaxAttempts: no
            -- run takes them again by itself, and no other kind here shows them.
            select 'retries-used-up', fv.source_name, null, null, count(*), min(fv.updated_at), max(fv.error_message)
            from orchestrator.file_version fv join names n on n.name = fv.source_name
            where fv.state = $9 and fv.error_class = any($15) and fv.process_attempts >= n.max_attempts and {InTheFolderNow.Condition}
            group by fv.source_name
            union all
            select 'last-run-failed', n.name, null, r.id, 1, r.finished_at, r.error
            from names n
            cross join lateral (select id, state, finished_at, error from orchestrator.run where source_name = n.name order by id desc limit 1) r
            where r.state = $10
            union all
            -- A source whose latest scan's Include/Exclude patterns took none of the files in its folder (the
            -- patterns_took_none gauge): its runs read as "no changes", as an up-to-date source's do.
            select 'patterns-took-none', n.name, null, r.id, r.files_left_out_by_patterns, r.scanned_at, null
            from names n
            cross join lateral (
                select id, scanned_at, files_left_out_by_patterns from orchestrator.run
                where source_name = n.name and scanned_at is not null order by id desc limit 1) r
            where r.files_left_out_by_patterns > 0
            union all
            select 'webhooks-missed', b.source_name, max(b.id), null, count(*), min(b.webhook_missed_at), null
            from orchestrator.batch b where b.webhook_missed_at > now() - $3
            group by b.source_name
            union all
            -- Files of the folder now, as Sources counts them: a version edited since (sent again under the current
            -- configuration) or deleted is history no reprocess sends, and counted it would stay here whatever was done.
            select 'older-configuration', n.name, null, null, count(*), min(b.finished_at), n.fingerprint
            from names n
            join orchestrator.batch b on b.source_name = n.name and b.configuration_fingerprint <> n.fingerprint
            join orchestrator.file_version fv on fv.batch_id = b.id and fv.state = $11 and {InTheFolderNow.Condition}
                and {Batches.ProcessedUnder.Fingerprint("b", "fv")} <> n.fingerprint
            group by n.name, n.fingerprint
            union all
            -- Files a spending cap holds back (docs/costs.md): they go on with the cap's next window or the source's next
            -- run, as their reason says, or once approved; until then nothing else on this page would show them. Those of a
            -- configured source, as the files_held gauge counts them: an approved run of a removed source would be skipped.
            -- Since they were first held (each planning holds them again, which moves updated_at); the run only when one run
            -- holds them all, since 'approve <run>' lets go that run's files alone.
            select 'held-by-cap', fv.source_name, null, case when count(distinct fv.held_run_id) = 1 then max(fv.held_run_id) end, count(*),
                   min(coalesce(fv.held_at, fv.updated_at)), max(fv.held_reason)
            from orchestrator.file_version fv
            where fv.batch_id is null and fv.state = $12 and fv.source_name = any($1)
            group by fv.source_name
            union all
            -- A RemoteOnly source's latest batch (docs/sources.md): its files are LlamaCloud's, no file of ours names their
            -- results, so no sink gets them, and its follow-ups end FollowUpFailed where "Retry follow-ups" cannot help.
            select 'results-undelivered', b.source_name, b.id, b.run_id, count(*), b.finished_at, b.remote_directory_id
            from orchestrator.batch b
            join orchestrator.batch_result br on br.batch_id = b.id and br.file_version_id is null and br.job_id is not null
            where b.layout = $13 and b.id = (select max(l.id) from orchestrator.batch l where l.source_name = b.source_name and l.layout = $13)
            group by b.source_name, b.id, b.run_id, b.finished_at, b.remote_directory_id
            union all
            -- A paused LlamaCloud project (docs/resilience.md): Source carries the project's key, Detail its reason and last error.
            select 'project-paused', p.project, null, null, 1, p.since, p.reason || coalesce(': ' || p.last_error, '')
            from orchestrator.project_pause p
        ) items
        order by since nulls last, source, kind
        """,
        cancellationToken,
        TextArray(configured.Select(c => c.Name)),
        TextArray(configured.Select(c => c.Fingerprint)),
        Interval(webhookWindow),
        StateParameters.Names(BatchLifecycle.Ended),
        StateParameters.Names(FollowUpLifecycle.Waiting),
        StateParameters.Name(FollowUpState.FollowUpFailed),
        StateParameters.Names(Enum.GetValues<FailureClass>().Except([.. RetryRule.RetriedClasses, FailureClass.Unconfirmed])), // the classes no run retries by itself
        StateParameters.Name(FailureClass.Auth),
        StateParameters.Name(FileVersionState.Failed),
        StateParameters.Name(RunState.Failed),
        StateParameters.Name(FileVersionState.Succeeded),
        StateParameters.Name(FileVersionState.Held),
        StateParameters.Name(Core.Sources.RemoteLayout.RemoteOnly),
        new NpgsqlParameter<int[]> { TypedValue = [.. configured.Select(c => c.MaxAttempts)] },
        StateParameters.Names(RetryRule.RetriedClasses),
        StateParameters.Name(FollowUpState.FollowedUp),
        Text(Core.LlamaCloud.BatchJobTypes.V1Classify));
}
