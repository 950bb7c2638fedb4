using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Sources;
using Npgsql;
using NpgsqlTypes;

namespace BatchOrchestrator.Persistence.Batches;

/// <summary>
/// Batch rows. A poll tick costs a constant number of statements whatever the number of active
/// batches: one claim, one bulk update of outcomes, one sweep for stalled steps.
/// </summary>
internal sealed class NpgsqlBatchStore(NpgsqlDataSource dataSource) : IBatchStore
{
    public async Task<BatchRecord?> GetAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select id, run_id, source_name, state, job_type, configuration_id, directory_name, remote_directory_id, remote_batch_id, poll_count,
                   cancel_requested_at is not null, created_at, project_id, organization_id
            from orchestrator.batch where id = $1
            """);
        command.Parameters.Add(Id(batchId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new BatchRecord(
            reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), Enum.Parse<BatchState>(reader.GetString(3)),
            reader.GetString(4), reader.GetString(5), reader.GetString(6),
            reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8), reader.GetInt32(9), reader.GetBoolean(10),
            reader.GetFieldValue<DateTimeOffset>(11), ScopeColumns.Read(reader, 12));
    }

    public async Task<bool> FinishCancelledAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new("""
            update orchestrator.batch
            set state = 'ResultsRecorded', remote_status = 'Cancelled', last_error = 'cancelled by an operator before it was submitted',
                finished_at = now(), updated_at = now()
            where id = $1 and remote_batch_id is null and state in ('Planned', 'Creating')
            """) { Parameters = { Id(batchId) } });
        batch.BatchCommands.Add(new("""
            update orchestrator.file_version
            set state = 'Skipped', error_message = 'batch cancelled by an operator before it was submitted', updated_at = now()
            where batch_id = $1 and state in ('Discovered', 'Uploaded')
              and exists (select 1 from orchestrator.batch where id = $1 and state = 'ResultsRecorded' and remote_status = 'Cancelled')
            """) { Parameters = { Id(batchId) } });
        batch.BatchCommands.Add(new(RunCompletion.Sql) { Parameters = { Id(batchId) } });
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return batch.BatchCommands[0].RecordsAffected == 1;
    }

    public async Task<AdoptionWindow> GetAdoptionWindowAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select b.layout, b.preexisting_remote_batch_ids,
                   array(select o.remote_batch_id from orchestrator.batch o
                         where o.remote_directory_id = b.remote_directory_id and o.remote_batch_id is not null)
            from orchestrator.batch b where b.id = $1
            """);
        command.Parameters.Add(Id(batchId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return new AdoptionWindow(RemoteLayout.PerRun, null, new HashSet<string>());
        }

        return new AdoptionWindow(
            Enum.Parse<RemoteLayout>(reader.GetString(0)),
            reader.IsDBNull(1) ? null : reader.GetFieldValue<string[]>(1).ToHashSet(StringComparer.Ordinal),
            reader.GetFieldValue<string[]>(2).ToHashSet(StringComparer.Ordinal));
    }

    public async Task RecordPreexistingBatchesAsync(long batchId, IReadOnlyList<string> remoteBatchIds, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "update orchestrator.batch set preexisting_remote_batch_ids = $2 where id = $1 and preexisting_remote_batch_ids is null");
        command.Parameters.Add(Id(batchId));
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. remoteBatchIds] });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RecordSubmittedAsync(long batchId, string remoteBatchId, BatchState state, DateTimeOffset nextPollAt, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new("""
            update orchestrator.batch
            set remote_batch_id = $2, state = $3, remote_status = $3, next_poll_at = $4, submitted_at = now(), updated_at = now()
            where id = $1 and remote_batch_id is null
            """) { Parameters = { Id(batchId), Text(remoteBatchId), Text(state.ToString()), new NpgsqlParameter<DateTimeOffset> { TypedValue = nextPollAt } } });
        batch.BatchCommands.Add(new(
            "update orchestrator.file_version set state = 'Submitted', updated_at = now() where batch_id = $1 and state = 'Uploaded'")
        { Parameters = { Id(batchId) } });
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<DueBatch>> ClaimDueAsync(int max, TimeSpan claimFor, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update orchestrator.batch b set next_poll_at = now() + $2
            from (
                select id from orchestrator.batch
                where state in ('Pending', 'Throttled', 'Running') and next_poll_at <= now()
                order by next_poll_at
                limit $1
                for update skip locked
            ) due
            where b.id = due.id
            returning b.id, b.remote_batch_id, b.state, b.poll_count, b.job_type, b.project_id, b.organization_id
            """);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = claimFor, NpgsqlDbType = NpgsqlDbType.Interval });
        var due = new List<DueBatch>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add(new DueBatch(
                reader.GetInt64(0), reader.GetString(1), Enum.Parse<BatchState>(reader.GetString(2)), reader.GetInt32(3), reader.GetString(4), ScopeColumns.Read(reader, 5)));
        }

        return due;
    }

    public async Task SavePollOutcomesAsync(IReadOnlyList<PollOutcome> outcomes, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update orchestrator.batch b
            set state = o.state, remote_status = o.state, next_poll_at = o.next_poll_at, poll_count = b.poll_count + 1,
                last_polled_at = now(), last_error = o.error,
                updated_at = case when b.state <> o.state then now() else b.updated_at end
            from unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[]) as o(id, state, next_poll_at, error)
            where b.id = o.id and b.state in ('Pending', 'Throttled', 'Running')
            """);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = outcomes.Select(o => o.BatchId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = outcomes.Select(o => o.State.ToString()).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = outcomes.Select(o => o.NextPollAt).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = outcomes.Select(o => o.Error).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StalledBatch>> ClaimStalledAsync(TimeSpan olderThan, int max, CancellationToken cancellationToken)
    {
        // Touching updated_at is the claim: the next sweep waits another full period before handing it out again.
        await using var command = dataSource.CreateCommand("""
            update orchestrator.batch b set updated_at = now()
            from (
                select id from orchestrator.batch
                where state in ('Planned', 'Creating', 'Completed', 'Failed', 'Cancelled') and updated_at < now() - $1
                order by updated_at
                limit $2
                for update skip locked
            ) stalled
            where b.id = stalled.id
            returning b.id, b.source_name, b.state
            """);
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = olderThan, NpgsqlDbType = NpgsqlDbType.Interval });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
        var stalled = new List<StalledBatch>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            stalled.Add(new StalledBatch(reader.GetInt64(0), reader.GetString(1), Enum.Parse<BatchState>(reader.GetString(2))));
        }

        return stalled;
    }

    public async Task<RecordSummary> RecordResultsAsync(
        long batchId, BatchState remoteState, IReadOnlyList<FileResult> results, RecordPolicy policy, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockRow = new NpgsqlCommand("select state from orchestrator.batch where id = $1 for update", connection, transaction))
        {
            lockRow.Parameters.Add(Id(batchId));
            if (await lockRow.ExecuteScalarAsync(cancellationToken) is not string state || state == nameof(BatchState.ResultsRecorded))
            {
                return new RecordSummary(0, 0, 0, AlreadyRecorded: true);
            }
        }

        await using (var stage = new NpgsqlCommand("""
            create temp table result_stage (
                source_directory_file_id text not null, outcome text not null, job_type text, job_id text, error_message text, error_class text
            ) on commit drop
            """, connection, transaction))
        {
            await stage.ExecuteNonQueryAsync(cancellationToken);
        }

        // One result per remote file: the ledger's (batch, remote file) key is unique, and with no
        // duplicates the insert needs no ON CONFLICT (whose speculative insertion costs on every row).
        // The batch row's lock above means no other transaction records this batch meanwhile. Of two
        // results for one file the first is kept (LlamaCloud lists each file once; this is a guard).
        var seen = new HashSet<string>(results.Count, StringComparer.Ordinal);
        results = [.. results.Where(r => seen.Add(r.SourceDirectoryFileId))];
        await using (var import = await connection.BeginBinaryImportAsync(
            "copy result_stage (source_directory_file_id, outcome, job_type, job_id, error_message, error_class) from stdin (format binary)", cancellationToken))
        {
            foreach (var result in results)
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(result.SourceDirectoryFileId, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(result.Outcome.ToString(), NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(import, result.JobType, cancellationToken);
                await WriteNullableAsync(import, result.JobId, cancellationToken);
                await WriteNullableAsync(import, result.ErrorMessage, cancellationToken);
                await WriteNullableAsync(import, result.ErrorClass?.ToString(), cancellationToken);
            }

            await import.CompleteAsync(cancellationToken);
        }

        await using var merge = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                // One pass over the file versions: the update returns what it matched, and the ledger rows
                // take their file_version_id from it (a result matching none of ours keeps a null one). The
                // staging table is not analyzed: the planner sizes a never-analyzed table from its pages,
                // which is enough for these hash joins, and ANALYZE cost more than it saved (bench/).
                // Updating first also means the ledger's foreign-key checks find rows this transaction holds.
                new("""
                    with updated as (
                        update orchestrator.file_version v
                        set state = s.outcome, job_type = s.job_type, job_id = s.job_id, error_message = s.error_message, error_class = s.error_class,
                            process_attempts = v.process_attempts + 1, updated_at = now()
                        from result_stage s
                        where v.batch_id = $1 and v.remote_file_id = s.source_directory_file_id and v.state = 'Submitted'
                        returning v.id, s.source_directory_file_id)
                    insert into orchestrator.batch_result
                        (batch_id, file_version_id, source_directory_file_id, job_type, job_id, error_message, outcome, error_class, follow_up_state)
                    select $1, u.id, s.source_directory_file_id, s.job_type, s.job_id, s.error_message, s.outcome, s.error_class,
                           case when s.outcome = 'Succeeded' and s.job_id is not null then 'Recorded' end
                    from result_stage s
                    left join updated u on u.source_directory_file_id = s.source_directory_file_id
                    """) { Parameters = { Id(batchId) } },
                new(UnmappedSql(remoteState)) { Parameters = { Id(batchId), new NpgsqlParameter<int> { TypedValue = policy.MaxAttempts } } },
                new("""
                    update orchestrator.batch
                    set state = 'ResultsRecorded', remote_status = $2, finished_at = now(), updated_at = now(),
                        follow_up_next_at = case when $3::timestamptz is not null and exists (
                            select 1 from orchestrator.batch_result r where r.batch_id = $1 and r.follow_up_state = 'Recorded') then $3::timestamptz end
                    where id = $1
                    """)
                {
                    Parameters = { Id(batchId), Text(remoteState.ToString()), new NpgsqlParameter<DateTimeOffset?> { TypedValue = policy.FollowUpAt, NpgsqlDbType = NpgsqlDbType.TimestampTz } },
                },
                new(RunCompletion.Sql) { Parameters = { Id(batchId) } },
            },
        };
        await merge.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RecordSummary(
            results.Count(r => r.Outcome == FileVersionState.Succeeded),
            results.Count(r => r.Outcome == FileVersionState.Failed),
            merge.BatchCommands[1].RecordsAffected,
            AlreadyRecorded: false,
            Skipped: results.Count(r => r.Outcome == FileVersionState.Skipped),
            FollowUps: results.Count(r => r.Outcome == FileVersionState.Succeeded && r.JobId is not null));
    }

    public async Task<IReadOnlyList<string>> GetRemoteFileIdsAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select remote_file_id from orchestrator.file_version
            where batch_id = $1 and remote_file_id is not null and state in ('Uploaded', 'Submitted')
            order by id
            """);
        command.Parameters.Add(Id(batchId));
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public async Task<bool> MakeDueNowAsync(string remoteBatchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update orchestrator.batch set next_poll_at = now()
            where remote_batch_id = $1 and state in ('Pending', 'Throttled', 'Running')
            """);
        command.Parameters.Add(Text(remoteBatchId));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    // Files the batch said nothing about. After a batch-level FAILED there is no reliable per-file
    // result (LLAMACLOUD.md §2.1), so they go back to the queue for the next run while below the
    // source's MaxAttempts ($2), and fail for good (transient, exhausted) at it; after a cancel they
    // were never processed; after COMPLETED a missing mapping is an error of its own, worth a retry.
    private static string UnmappedSql(BatchState remoteState) => remoteState switch
    {
        BatchState.Failed => """
            update orchestrator.file_version
            set process_attempts = process_attempts + 1, error_class = 'Transient', updated_at = now(),
                state = case when process_attempts + 1 < $2 then 'Discovered' else 'Failed' end,
                batch_id = case when process_attempts + 1 < $2 then null else batch_id end,
                unique_id = case when process_attempts + 1 < $2 then null else unique_id end,
                upload_started_at = case when process_attempts + 1 < $2 then null else upload_started_at end,
                remote_file_id = case when process_attempts + 1 < $2 then null else remote_file_id end,
                error_message = case when process_attempts + 1 < $2
                    then 'batch failed as a whole; queued for the next run'
                    else format('batch failed as a whole, %s attempts; not retried again (MaxAttempts %s)', process_attempts + 1, $2) end
            where batch_id = $1 and state = 'Submitted'
            """,
        BatchState.Cancelled => """
            update orchestrator.file_version set state = 'Skipped', error_message = 'batch cancelled before this file was processed', updated_at = now()
            where batch_id = $1 and state = 'Submitted'
            """,
        _ => """
            update orchestrator.file_version
            set state = 'Failed', error_class = 'Transient', process_attempts = process_attempts + 1, updated_at = now(),
                error_message = 'the completed batch reported no result for this file'
            where batch_id = $1 and state = 'Submitted'
            """,
    };

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter import, string? value, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await import.WriteNullAsync(cancellationToken);
        }
        else
        {
            await import.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);
        }
    }

    private static NpgsqlParameter<long> Id(long id) => new() { TypedValue = id };

    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };
}
