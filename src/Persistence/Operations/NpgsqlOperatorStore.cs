using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Operations;
using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Batches;
using BatchOrchestrator.Persistence.Sources;

namespace BatchOrchestrator.Persistence.Operations;

/// <summary>Operator requests, recorded on the rows the pipeline's steps read.</summary>
internal sealed class NpgsqlOperatorStore(NpgsqlDataSource dataSource) : IOperatorStore
{
    public async Task<CancelTarget?> RequestBatchCancelAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update orchestrator.batch set cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now()
            where id = $1 and state = any($2)
            returning state, remote_batch_id, job_type, project_id, organization_id
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = batchId });
        command.Parameters.Add(StateParameters.Names(BatchLifecycle.Cancellable));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new CancelTarget(
                batchId, Enum.Parse<BatchState>(reader.GetString(0)), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), Batches.ScopeColumns.Read(reader, 3))
            : null;
    }

    public async Task WithdrawBatchCancelAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "update orchestrator.batch set cancel_requested_at = null, cancel_sent_at = null, updated_at = now() where id = $1 and state <> all($2)");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = batchId });
        // Not only while it is cancellable: the poll may have read it Completed between the request and the refusal.
        command.Parameters.Add(StateParameters.Names(BatchLifecycle.Ended));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<StuckJobs?> RequestStuckJobCancelsAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            with asked as (
                update orchestrator.batch_result
                set cancel_requested_at = coalesce(cancel_requested_at, now())
                where batch_id = $1 and stuck_since is not null and follow_up_state = any($2) and job_id is not null and job_type <> $3
                returning job_type, job_id)
            select b.source_name, b.project_id, b.organization_id, a.job_type, a.job_id, (
                       select count(*)::int from orchestrator.batch_result r
                       where r.batch_id = b.id and r.stuck_since is not null and r.follow_up_state = any($2) and r.job_id is not null and r.job_type = $3)
            from orchestrator.batch b left join asked a on true
            where b.id = $1
            order by a.job_id
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = batchId });
        command.Parameters.Add(StateParameters.Names(FollowUpLifecycle.Waiting));
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = BatchJobTypes.V1Classify });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        StuckJobs? stuck = null;
        var jobs = new List<StuckJob>();
        while (await reader.ReadAsync(cancellationToken))
        {
            stuck ??= new StuckJobs(reader.GetString(0), Batches.ScopeColumns.Read(reader, 1), jobs) { LeftOut = reader.GetInt32(5) };
            if (!reader.IsDBNull(4))
            {
                jobs.Add(new StuckJob(reader.GetString(3), reader.GetString(4)));
            }
        }

        return stuck;
    }

    public async Task<bool> RequestRunCancelAsync(long runId, CancellationToken cancellationToken)
    {
        // Committed before the run's open batches are listed: a planning under way holds the run's row (migration 0078)
        // until its batches are committed, so this waits for them, and a planning that comes after reads the request.
        await using var command = dataSource.CreateCommand("""
            update orchestrator.run set cancel_requested_at = coalesce(cancel_requested_at, now())
            where id = $1 and state = $2
            returning id
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        command.Parameters.Add(StateParameters.Name(RunState.Scanning));
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    public async Task<IReadOnlyList<long>> OpenBatchesOfRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "select id from orchestrator.batch where run_id = $1 and state <> all($2) order by id");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        command.Parameters.Add(StateParameters.Names(BatchLifecycle.Ended));
        return await command.ReadColumnAsync<long>(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, int>> ApproveHeldAsync(long runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            with approved as (
                update orchestrator.file_version
                set state = $2, cap_approved_at = now(), operator_queued_at = now(), updated_at = now()
                where held_run_id = $1 and state = any($3)
                returning source_name)
            select source_name, count(*)::int from approved group by source_name
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        command.Parameters.Add(FileVersionLifecycle.Approve.TargetState());
        command.Parameters.Add(FileVersionLifecycle.Approve.FromStates());
        var approved = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            approved[reader.GetString(0)] = reader.GetInt32(1);
        }

        return approved;
    }

    public async Task<string?> SourceOfRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select source_name from orchestrator.run where id = $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<RequeueOutcome> RequeueFailedAsync(string source, ForcedRetry forced, CancellationToken cancellationToken)
    {
        // Only failures of files in the folder now, as "Needs a person" counts them: an old version's failure (its file
        // deleted, renamed away or changed since) would only end Skipped before upload. Those are counted, not touched.
        await using var command = dataSource.CreateCommand($"""
            with failed as (
                select fv.id, {InTheFolderNow.Condition} as in_folder
                from orchestrator.file_version fv
                where fv.source_name = $1 and fv.state = any($3) and (fv.error_class is null or fv.error_class <> all($4))
                  -- An unconfirmed batch's files only of the one batch named: another such batch may still be billing.
                  and (fv.error_class is distinct from $5 or fv.batch_id = $6)),
            requeued as (
                update orchestrator.file_version v
                set state = $2, batch_id = null, unique_id = null, upload_started_at = null, remote_file_id = null,
                    error_message = null, error_class = null, operator_queued_at = now(), updated_at = now()
                -- The state again: read committed checks only this clause once a row it waited for is free, and a planning
                -- that held the row may have taken the file into a batch meanwhile.
                from failed f where v.id = f.id and f.in_folder and v.state = any($3)
                returning v.id),
            -- The batch named was looked for at LlamaCloud: it leaves "Needs a person", and a planning that waited for it
            -- (a mirror's or a RemoteOnly source's, over its directory) goes on. Also when none of its files can be sent.
            looked_for as (
                update orchestrator.batch set unconfirmed_since = null
                where id = $6 and source_name = $1 and unconfirmed_since is not null
                returning id)
            select (select count(*)::int from requeued), (select count(*)::int from failed where not in_folder), exists (select 1 from looked_for)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(FileVersionLifecycle.OperatorRetry.TargetState());
        command.Parameters.Add(FileVersionLifecycle.OperatorRetry.FromStates());
        command.Parameters.Add(StateParameters.Names(RetryRule.LeftAloneByOperatorRetry(forced)));
        command.Parameters.Add(StateParameters.Name(FailureClass.Unconfirmed));
        command.Parameters.Add(new NpgsqlParameter<long?> { TypedValue = forced.UnconfirmedBatch, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new RequeueOutcome(reader.GetInt32(0), reader.GetInt32(1), reader.GetBoolean(2));
    }

    public async Task<int> CountSentBackAsync(string source, CancellationToken cancellationToken)
    {
        // In the queue (not in a batch) after at least one batch ended for it: sent back, not new. A RemoteOnly source's
        // directory counts whole when its latest batch ended without completing: its next run sends all of it again. Not
        // while that batch waits to be looked for at LlamaCloud (its runs are refused until then), nor when it ended cancelled
        // as an operator asked (its runs send the directory only once it changes, as a cancelled batch's files stay skipped).
        await using var command = dataSource.CreateCommand($"""
            select (select count(*)::int from orchestrator.file_version
                    where source_name = $1 and state = $2 and batch_id is null and process_attempts > 0)
                 + coalesce((select l.file_count from orchestrator.batch l
                             where l.id = (select max(id) from orchestrator.batch where source_name = $1 and layout = $3)
                               and l.state = any($4) and l.remote_status is distinct from $5 and l.unconfirmed_since is null
                               and not {CancelledHere.Condition("l", "$6")}), 0)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(StateParameters.Name(FileVersionState.Discovered));
        command.Parameters.Add(StateParameters.Name(RemoteLayout.RemoteOnly));
        command.Parameters.Add(StateParameters.Names(BatchLifecycle.Ended));
        command.Parameters.Add(StateParameters.Name(BatchState.Completed));
        command.Parameters.Add(StateParameters.Name(BatchState.Cancelled));
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task MarkRetryRunQueuedAsync(string source, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            insert into orchestrator.source (name, retry_run_queued_at) values ($1, now())
            on conflict (name) do update set retry_run_queued_at = now()
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ClearRetryRunQueuedAsync(string source, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("update orchestrator.source set retry_run_queued_at = null where name = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> RetryRunWaitingAsync(string source, TimeSpan within, CancellationToken cancellationToken)
    {
        // By the database's clock on both sides: the run's started_at and the mark are both its now().
        await using var command = dataSource.CreateCommand("""
            select exists (
                select 1 from orchestrator.source s
                where s.name = $1
                  and s.retry_run_queued_at > now() - $2
                  and s.retry_run_queued_at > coalesce(
                      (select r.started_at from orchestrator.run r where r.source_name = $1 order by r.id desc limit 1), '-infinity'))
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(Interval(within));
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
