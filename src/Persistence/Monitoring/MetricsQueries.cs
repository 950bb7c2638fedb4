using static BatchOrchestrator.Persistence.Monitoring.SqlTable;

namespace BatchOrchestrator.Persistence.Monitoring;

/// <summary>The database-backed values behind <c>/metrics</c>, read by the Worker's gauge refresher.</summary>
internal sealed class MetricsQueries(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// The gauges, one row per (metric, label): one round trip however many metrics there are. A new
    /// gauge is one more <c>union all</c> line here. <paramref name="sources"/> are the configured sources:
    /// a source's last success, its files, batches, files set aside and partial results are reported for those only (a
    /// removed source must not look overdue forever, nor its files and batches, history now, be counted as failed or
    /// waiting forever). What is still in flight is watched whatever its source: stuck, poll and follow-up lag.
    /// </summary>
    public async Task<IReadOnlyList<(string Metric, string Label, double Value)>> GaugesAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken)
    {
        var table = await QueryAsync(dataSource, $"""
            select 'files' as metric, state as label, count(*)::float8 as value from orchestrator.file_version
                where source_name = any($1) group by state
            union all select 'batches', state, count(*)::float8 from orchestrator.batch where source_name = any($1) group by state
            -- Every in-progress state always, 0 when none: a series that comes and goes breaks graphs and alerts reading it.
            union all select 'runs', s.state, count(r.id)::float8 from unnest($2::text[]) s(state)
                left join orchestrator.run r on r.state = s.state group by s.state
            union all select 'follow_up_lag', '', coalesce(extract(epoch from now() - min(recorded_at)), 0)::float8
                from orchestrator.batch_result where follow_up_state = any($3) and job_id is not null
            union all select 'poll_overdue', '', coalesce(extract(epoch from now() - min(next_poll_at)), 0)::float8
                from orchestrator.batch where state = any($4) and next_poll_at < now()
            -- Stuck now, as "Needs a person" lists them: the watchdog's mark stays once a batch ends or a result is fetched
            -- (history, on the Batches and file pages), and the stuck alerts would fire on it for ever.
            union all select 'stuck', 'batch', count(*)::float8 from orchestrator.batch where stuck_since is not null and state <> all($12)
            union all select 'stuck', 'job', count(*)::float8 from orchestrator.batch_result where stuck_since is not null and follow_up_state = any($3)
            union all select 'files_set_aside', kind, count(*)::float8 from orchestrator.source_file_problem where source_name = any($1) group by kind
            -- Files whose result was delivered without pages LlamaCloud failed, as "Needs a person" lists them (partial-results:
            -- while the file's latest version is that one), by configured source, 0 when none: an alert can fire on it.
            union all select 'partial_results', n.name, count(distinct p.id)::float8
                from unnest($1::text[]) n(name)
                left join (
                    select fv.id, fv.source_name
                    from orchestrator.batch_result br
                    {PartialResults.JoinVersion}
                    where {PartialResults.Condition(13)}) p on p.source_name = n.name
                group by n.name
            -- Files the Include/Exclude patterns left out at the source's latest scan when they took none of them, else 0,
            -- per configured source, as "Needs a person" lists them (patterns-took-none): such a source's runs read as
            -- "no changes", as an up-to-date one's do, and only this says its files are never taken.
            union all select 'patterns_took_none', n.name, coalesce((
                    select r.files_left_out_by_patterns from orchestrator.run r
                    where r.source_name = n.name and r.scanned_at is not null order by r.id desc limit 1), 0)::float8
                from unnest($1::text[]) n(name)
            union all select 'webhooks_missed', '', count(*)::float8 from orchestrator.batch where webhook_missed_at is not null
            -- Outcomes of the files whose batch ended in the last hour, per source, each file once by its latest: the
            -- failure-ratio alert divides them, and a file failed in three batches is one failure, not three.
            union all select 'files_ended_last_hour', source_name || chr(31) || outcome, count(*)::float8
                from {Outcomes.LatestPerFile("$1", "b.finished_at > now() - interval '1 hour'", 6)} ended
                group by source_name, outcome
            -- The end of the source's last successful run; before its first, when the source was first configured (or
            -- run, if that came first), so that a source that never succeeds, or never runs, is overdue too. A run succeeded when it had nothing to do (NoChanges: its scan
            -- planned no batch, as for an unchanged or empty tree) or when a file of its batches succeeded, by outcome as
            -- the overview counts them (a job the follow-up found failed is a failure). Completed alone says only that its batches ended: a run whose
            -- every file failed, was skipped or went back to the queue did nothing, and counting it would keep the
            -- overdue alert silent while every file fails. Runs end out of id order (a run completes when its batches are
            -- recorded), hence the latest end among the source's 50 latest ended runs. When none of those succeeded, it
            -- is reported as when the source was first configured: fifty ended runs without a success are cause enough to look,
            -- and searching all of a failing source's history on every refresh is not worth the last success's exact time.
            union all select 'source_last_success', s.name, extract(epoch from coalesce(
                    (select max(r.finished_at) from (
                        select id, state, finished_at from orchestrator.run
                        where source_name = s.name and state = any($5) order by id desc limit 50) r
                     where r.state = $11 or exists (
                         select 1 from orchestrator.batch b cross join {Outcomes.OfBatch("b", 6)} f
                         where b.run_id = r.id and f.outcome = $6)),
                    s.created_at))::float8
                from orchestrator.source s where s.name = any($1)
            """,
            cancellationToken,
            [
                TextArray(sources),
                StateParameters.Names(RunLifecycle.InProgress),
                StateParameters.Names(FollowUpLifecycle.Waiting),
                BatchLifecycle.Poll.FromStates(),
                StateParameters.Names([RunState.Completed, RunState.NoChanges]),
                .. Outcomes.Parameters(),
                RunLifecycle.FinishScanWithNothing.TargetState(),
                StateParameters.Names(BatchLifecycle.Ended),
                StateParameters.Name(FollowUpState.FollowedUp),
            ]);
        return [.. table.Rows.Select(r => ((string)r[0]!, (string?)r[1] ?? "", (double)r[2]!))];
    }
}
