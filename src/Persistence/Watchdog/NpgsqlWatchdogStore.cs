using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Watchdog;
using BatchOrchestrator.Persistence.Runs;

namespace BatchOrchestrator.Persistence.Watchdog;

/// <summary>
/// Sets <c>stuck_since</c> on batches and job references once, and ends runs a dead process left Scanning. The UPDATE's own row locks make the
/// flag (and so the warning) once per row across instances: a second watcher re-reads the row,
/// finds it flagged and skips it.
/// </summary>
internal sealed class NpgsqlWatchdogStore(NpgsqlDataSource dataSource) : IWatchdogStore
{
    public async Task<StuckReport> FlagStuckAsync(TimeSpan batchAge, TimeSpan jobAge, int max, string interruptedScan, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new("""
            update orchestrator.batch set stuck_since = now()
            where id in (
                select id from orchestrator.batch
                where state <> all($3) and stuck_since is null and created_at < now() - $1
                order by created_at
                limit $2)
              and stuck_since is null
            returning id, source_name, state, remote_batch_id, created_at
            """) { Parameters = { Interval(batchAge), new NpgsqlParameter<int> { TypedValue = max }, StateParameters.Names(BatchLifecycle.Ended) } });
        batch.BatchCommands.Add(new("""
            with flagged as (
                update orchestrator.batch_result set stuck_since = now()
                where id in (
                    select id from orchestrator.batch_result
                    where follow_up_state = any($3) and stuck_since is null and recorded_at < now() - $1
                    order by recorded_at
                    limit $2)
                  and stuck_since is null
                returning batch_id, job_id)
            select batch_id, count(*)::int, (array_agg(job_id order by job_id))[1:5] from flagged group by batch_id order by batch_id
            """) { Parameters = { Interval(jobAge), new NpgsqlParameter<int> { TypedValue = max }, StateParameters.Names(FollowUpLifecycle.Waiting) } });
        const string Unheld = "not exists (select 1 from orchestrator.lease l where l.name = $1 || r.source_name and l.expires_at >= now())";
        batch.BatchCommands.Add(InterruptedRunEnd.LockBatches(
            $"where r.state = any($2) and {Unheld}", new NpgsqlParameter<string> { TypedValue = SourceLease.Prefix }, RunLifecycle.Fail.FromStates()));
        var interrupted = new NpgsqlBatchCommand($"""
            update orchestrator.run r set error = $2, {InterruptedRunEnd.Set("r", 4)}
            where r.state = any($3) and {Unheld}
            returning r.id, r.source_name, r.state
            """)
        {
            Parameters = { new NpgsqlParameter<string> { TypedValue = SourceLease.Prefix }, new NpgsqlParameter<string> { TypedValue = interruptedScan }, RunLifecycle.Fail.FromStates() },
        };
        interrupted.Parameters.AddRange(InterruptedRunEnd.Parameters());
        batch.BatchCommands.Add(interrupted);

        var batches = new List<StuckBatch>();
        var jobs = new List<StuckJobs>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            batches.Add(new StuckBatch(
                reader.GetInt64(0), reader.GetString(1), Enum.Parse<BatchState>(reader.GetString(2)),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(new StuckJobs(reader.GetInt64(0), reader.GetInt32(1), reader.GetFieldValue<string[]>(2)));
        }

        var runs = new List<InterruptedRun>();
        await reader.NextResultAsync(cancellationToken); // the lock's rows
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(new InterruptedRun(reader.GetInt64(0), reader.GetString(1), Enum.Parse<RunState>(reader.GetString(2))));
        }

        return new StuckReport(batches, jobs, runs);
    }
}
