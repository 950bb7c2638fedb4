using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Runs;
using NpgsqlTypes;

namespace BatchOrchestrator.Persistence.Runs;

/// <summary>The runs owed and never started (<see cref="OwedRuns"/>), found and recorded as asked for in one statement.</summary>
internal sealed partial class NpgsqlRunStore
{
    public async Task<IReadOnlyList<OwedRun>> AskOwedRunsAsync(IReadOnlyList<OwedRunSource> sources, TimeSpan? sentBackOwedAfter, TimeSpan operatorQueuedOwedAfter, CancellationToken cancellationToken)
    {
        // The files sent back are read through the partial indexes on a retried class and on versions in no batch, the few
        // rows those hold; the last run of each source from run_by_source. The ask is an update of the source's row: a second
        // instance's waits for the first's lock, then finds it asked for after the files went back and asks for nothing. Every
        // source with files has its row (a run inserts it), so the update finds one wherever something is owed. A source with a
        // rerun requested has its run coming: the one asked for found another under way and waits behind it. Unless no run
        // holds the source's lease any more: the holder died (a kill, a crash, the database gone while it ran) without taking
        // the request, and nothing else would, so the request itself is owed; it is taken here, as the holder would have.
        await using var command = dataSource.CreateCommand("""
            with configured as (
                select * from unnest($1::text[], $2::int[], $3::interval[]) as c(name, max_attempts, unsettled_after)),
            latest as (
                select c.name, c.max_attempts, c.unsettled_after, r.started_at, r.scanned_at, r.files_unsettled
                from configured c
                left join lateral (
                    -- Unsettled: still changing at the walk, or written to between the walk and the hash (either asks for a look).
                    select r.started_at, r.scanned_at, coalesce(r.files_unsettled, 0) + coalesce(r.files_changed_while_hashing, 0) as files_unsettled
                    from orchestrator.run r
                    where r.source_name = c.name order by r.id desc limit 1) r on true),
            sent_back as (
                select l.name, count(*)::int as files, max(v.updated_at) as since
                from latest l
                cross join lateral (
                    select f.updated_at from orchestrator.file_version f
                    where f.source_name = l.name and f.error_class = any($4) and f.state = any($5) and f.process_attempts < l.max_attempts
                    union all
                    select f.updated_at from orchestrator.file_version f
                    where f.source_name = l.name and f.batch_id is null and f.state = any($6) and (f.error_class = any($4) or f.escalated_at is not null)
                ) v
                where $7::interval is not null and v.updated_at < now() - $7::interval and v.updated_at > coalesce(l.started_at, '-infinity')
                group by l.name),
            unsettled as (
                select l.name, l.files_unsettled as files, l.scanned_at as since
                from latest l
                where l.files_unsettled > 0 and l.scanned_at < now() - l.unsettled_after),
            -- Put in the queue by an operator (approved, reprocessed, retried) after the source's last run started, the run
            -- that asked for them long due: the same index as the files sent back reads them.
            queued as (
                select l.name, count(*)::int as files, max(f.operator_queued_at) as since
                from latest l
                join orchestrator.file_version f on f.source_name = l.name and f.batch_id is null and f.state = any($6)
                    and f.operator_queued_at > coalesce(l.started_at, '-infinity')
                group by l.name
                having max(f.operator_queued_at) < now() - $12::interval),
            orphaned as (
                select s.name, 0 as files, s.rerun_requested_at as since
                from configured c join orchestrator.source s on s.name = c.name
                where s.rerun_requested_at is not null
                  and not exists (select 1 from orchestrator.lease l where l.name = $11 || s.name and l.expires_at >= now())),
            -- Every reason a source has, then the first not yet asked for: a reason whose ask was recorded (and lost) must not
            -- hide a later one behind it, such as files an operator queued after the run asked for files sent back never came.
            reasons as (
                select name, $10::text as trigger, files, since, 0 as rank from orphaned
                union all
                select name, $8::text, files, since, 1 from sent_back
                union all
                select name, $13::text, files, since, 2 from queued
                union all
                select name, $9::text, files, since, 3 from unsettled),
            owed as (
                select distinct on (r.name) r.name, r.trigger, r.files, r.since
                from reasons r join orchestrator.source s on s.name = r.name
                where case when r.trigger = $10
                      then s.rerun_requested_at is not null
                      else (s.owed_run_asked_at is null or s.owed_run_asked_at < r.since) and s.rerun_requested_at is null end
                order by r.name, r.rank),
            -- The same test again on the row as the lock finds it: another instance's ask, committed meanwhile, ends this one.
            asked as (
                update orchestrator.source s set owed_run_asked_at = now(), rerun_requested_at = null
                from owed o
                where s.name = o.name
                  and case when o.trigger = $10
                      then s.rerun_requested_at is not null
                      else (s.owed_run_asked_at is null or s.owed_run_asked_at < o.since) and s.rerun_requested_at is null end
                returning s.name)
            select o.name, o.trigger, o.files, o.since from owed o where o.name in (select name from asked) order by o.name
            """);
        command.Parameters.Add(TextArray(sources.Select(s => s.Name)));
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. sources.Select(s => s.MaxAttempts)] });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan[]> { TypedValue = [.. sources.Select(s => s.UnsettledOwedAfter)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Interval });
        command.Parameters.Add(StateParameters.Names(RetryRule.RetriedClasses));
        command.Parameters.Add(StateParameters.Names([FileVersionState.Failed]));
        command.Parameters.Add(StateParameters.Names([FileVersionState.Discovered]));
        command.Parameters.Add(new NpgsqlParameter { Value = sentBackOwedAfter is { } after ? after : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Interval });
        command.Parameters.Add(StateParameters.Name(RunTrigger.Retry));
        command.Parameters.Add(StateParameters.Name(RunTrigger.Settle));
        command.Parameters.Add(StateParameters.Name(RunTrigger.Rerun));
        command.Parameters.Add(Text(Core.Leases.SourceLease.Prefix));
        command.Parameters.Add(new NpgsqlParameter { Value = operatorQueuedOwedAfter, NpgsqlDbType = NpgsqlDbType.Interval });
        command.Parameters.Add(StateParameters.Name(RunTrigger.Manual));
        var owed = new List<OwedRun>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            owed.Add(new OwedRun(reader.GetString(0), Enum.Parse<RunTrigger>(reader.GetString(1)), reader.GetInt32(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return owed;
    }

    public async Task ForgetOwedRunAskAsync(string source, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("update orchestrator.source set owed_run_asked_at = null where name = $1");
        command.Parameters.Add(Text(source));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
