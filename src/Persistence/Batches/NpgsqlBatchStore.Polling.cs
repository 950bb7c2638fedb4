using BatchOrchestrator.Core.Batches;

namespace BatchOrchestrator.Persistence.Batches;

/// <summary>
/// The poll tick's statements: a constant number whatever the number of active batches (one claim, one
/// bulk update of outcomes, one sweep for stalled steps).
/// </summary>
internal sealed partial class NpgsqlBatchStore
{
    public async Task<IReadOnlyList<DueBatch>> ClaimDueAsync(int max, TimeSpan claimFor, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update orchestrator.batch b set next_poll_at = now() + $2
            from (
                select id from orchestrator.batch
                where state = any($3) and next_poll_at <= now()
                order by next_poll_at
                limit $1
                for update skip locked
            ) due
            where b.id = due.id
            returning b.id, b.remote_batch_id, b.state, b.poll_count, b.job_type, b.project_id, b.organization_id, case when b.cancel_sent_at is null then b.cancel_requested_at end
            """);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
        command.Parameters.Add(Interval(claimFor));
        command.Parameters.Add(BatchLifecycle.Poll.FromStates());
        var due = new List<DueBatch>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add(new DueBatch(
                reader.GetInt64(0), reader.GetString(1), Enum.Parse<BatchState>(reader.GetString(2)), reader.GetInt32(3), reader.GetString(4), ScopeColumns.Read(reader, 5),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7)));
        }

        return due;
    }

    public async Task SavePollOutcomesAsync(IReadOnlyList<PollOutcome> outcomes, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update orchestrator.batch b
            set state = o.state, remote_status = o.state, next_poll_at = now() + o.poll_in, poll_count = b.poll_count + 1,
                last_polled_at = now(), last_error = o.error,
                updated_at = case when b.state <> o.state then now() else b.updated_at end
            from unnest($1::bigint[], $2::text[], $3::interval[], $4::text[]) as o(id, state, poll_in, error)
            where b.id = o.id and b.state = any($5)
            """);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = outcomes.Select(o => o.BatchId).ToArray() });
        command.Parameters.Add(StateParameters.Names(outcomes.Select(o => o.State)));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan[]> { TypedValue = outcomes.Select(o => o.PollIn).ToArray() }); // the database's clock: IBatchStore
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = outcomes.Select(o => o.Error).ToArray() });
        command.Parameters.Add(BatchLifecycle.Poll.FromStates());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StalledBatch>> ClaimStalledAsync(TimeSpan olderThan, int max, CancellationToken cancellationToken)
    {
        // Touching updated_at is the claim: the next sweep waits another full period before handing it out again.
        // A batch that owes its upload while another of its source is uploading (its directory set, so its step began)
        // and made progress within the period waits its turn: touched like the rest, so the tick's question moves on,
        // but not handed out. The sweep's own touch is no progress: it never sets a directory, so two batches that
        // wait behind nothing (the uploading one's job lost in a crash) cannot keep each other waiting.
        await using var command = dataSource.CreateCommand("""
            update orchestrator.batch b set updated_at = now()
            from (
                select s.id, s.state = any($4) and exists (
                           select 1 from orchestrator.batch o
                           where o.source_name = s.source_name and o.state = any($4) and o.id <> s.id
                             and o.remote_directory_id is not null and o.updated_at >= now() - $1) as waits
                from orchestrator.batch s
                where s.state = any($3) and s.updated_at < now() - $1
                order by s.updated_at
                limit $2
                for update of s skip locked
            ) stalled
            where b.id = stalled.id
            returning b.id, b.source_name, b.state, stalled.waits, b.project_id, b.organization_id, b.cancel_requested_at is not null
            """);
        command.Parameters.Add(Interval(olderThan));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
        command.Parameters.Add(StateParameters.Names(BatchLifecycle.AwaitingLocalStep));
        command.Parameters.Add(BatchLifecycle.FinishUploads.FromStates());
        var stalled = new List<StalledBatch>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            stalled.Add(new StalledBatch(
                reader.GetInt64(0), reader.GetString(1), Enum.Parse<BatchState>(reader.GetString(2)), reader.GetBoolean(3), ScopeColumns.Read(reader, 4), reader.GetBoolean(6)));
        }

        return stalled;
    }

    public async Task<bool> MakeDueNowAsync(string remoteBatchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "update orchestrator.batch set next_poll_at = now() where remote_batch_id = $1 and state = any($2)");
        command.Parameters.Add(Text(remoteBatchId));
        command.Parameters.Add(BatchLifecycle.Poll.FromStates());
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task MarkCancelSentAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "update orchestrator.batch set cancel_sent_at = coalesce(cancel_sent_at, now()) where id = $1 and cancel_requested_at is not null");
        command.Parameters.Add(Id(batchId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
