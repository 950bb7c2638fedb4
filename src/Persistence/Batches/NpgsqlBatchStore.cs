using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Persistence.Leases;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Persistence.Batches;

/// <summary>
/// Batch rows: reading them and the submit step's writes here; the poll tick's in
/// <c>NpgsqlBatchStore.Polling.cs</c>, the record step's in <c>NpgsqlBatchStore.Recording.cs</c>. Every
/// state a statement checks or writes is a parameter taken from Core's lifecycles.
/// </summary>
internal sealed partial class NpgsqlBatchStore(NpgsqlDataSource dataSource) : IBatchStore
{
    public async Task<BatchRecord?> GetAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select id, run_id, source_name, state, job_type, configuration_id, directory_name, remote_directory_id, remote_batch_id, poll_count,
                   cancel_requested_at is not null, created_at, project_id, organization_id, v1_parse_tier, v1_scope, layout
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
            reader.GetFieldValue<DateTimeOffset>(11), ScopeColumns.Read(reader, 12), reader.IsDBNull(14) ? null : reader.GetString(14),
            reader.IsDBNull(15) ? null : Enum.Parse<V1Scope>(reader.GetString(15)), Enum.Parse<RemoteLayout>(reader.GetString(16)));
    }

    public async Task<int> RemoteOnlyFailuresInARowAsync(string source, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select count(*)::int from orchestrator.batch
            where source_name = $1 and layout = $2 and state = any($3) and remote_status is distinct from $4
              and id > coalesce((select max(id) from orchestrator.batch where source_name = $1 and layout = $2 and remote_status = $4), 0)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(StateParameters.Name(RemoteLayout.RemoteOnly));
        command.Parameters.Add(StateParameters.Names(Core.Lifecycle.BatchLifecycle.Ended));
        command.Parameters.Add(StateParameters.Name(BatchState.Completed));
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<bool> FinishCancelledAsync(long batchId, Lease fence, CancellationToken cancellationToken)
    {
        await using var batch = LeaseFence.CreateBatch(dataSource, fence);
        batch.BatchCommands.Add(new("""
            update orchestrator.batch
            set state = $2, remote_status = $3, last_error = 'cancelled by an operator before it was submitted',
                finished_at = now(), updated_at = now()
            where id = $1 and remote_batch_id is null and state = any($4)
            """)
        {
            Parameters =
            {
                Id(batchId), BatchLifecycle.CancelBeforeSubmit.TargetState(), StateParameters.Name(BatchState.Cancelled),
                BatchLifecycle.CancelBeforeSubmit.FromStates(),
            },
        });
        batch.BatchCommands.Add(new("""
            update orchestrator.file_version
            set state = $2, error_message = 'batch cancelled by an operator before it was submitted', updated_at = now()
            where batch_id = $1 and state = any($3)
              and exists (select 1 from orchestrator.batch where id = $1 and state = $4 and remote_status = $5)
            """)
        {
            Parameters =
            {
                Id(batchId), FileVersionLifecycle.CancelBeforeSubmit.TargetState(), FileVersionLifecycle.CancelBeforeSubmit.FromStates(),
                BatchLifecycle.CancelBeforeSubmit.TargetState(), StateParameters.Name(BatchState.Cancelled),
            },
        });
        batch.BatchCommands.Add(RunCompletion.Command(batchId));
        batch.BatchCommands.Add(Costs.ChargeSettlement.ReleaseUnused(batchId));
        await LeaseFence.RunAsync(fence, () => batch.ExecuteNonQueryAsync(cancellationToken));
        return batch.BatchCommands[1].RecordsAffected == 1; // [0] is the fence's check
    }

    public async Task<AdoptionWindow> GetAdoptionWindowAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select b.layout, b.preexisting_remote_batch_ids,
                   array(select o.remote_batch_id from orchestrator.batch o
                         where o.remote_directory_id = b.remote_directory_id and o.remote_batch_id is not null),
                   b.create_sent_at, now() - b.create_sent_at
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
            reader.GetFieldValue<string[]>(2).ToHashSet(StringComparer.Ordinal),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
            reader.IsDBNull(4) ? null : reader.GetFieldValue<TimeSpan>(4));
    }

    public Task RecordCreateSentAsync(long batchId, bool sent, Lease fence, CancellationToken cancellationToken) =>
        LeaseFence.ExecuteAsync(
            dataSource,
            fence,
            "update orchestrator.batch set create_sent_at = case when $2 then now() end where id = $1", // the database's clock: AdoptionWindow
            cancellationToken,
            Id(batchId),
            new NpgsqlParameter<bool> { TypedValue = sent });

    public Task RecordPreexistingBatchesAsync(long batchId, IReadOnlyList<string> remoteBatchIds, Lease fence, CancellationToken cancellationToken) =>
        LeaseFence.ExecuteAsync(
            dataSource,
            fence,
            "update orchestrator.batch set preexisting_remote_batch_ids = $2 where id = $1 and preexisting_remote_batch_ids is null",
            cancellationToken,
            Id(batchId),
            new NpgsqlParameter<string[]> { TypedValue = [.. remoteBatchIds] });

    public async Task RecordSubmittedAsync(long batchId, string remoteBatchId, BatchState state, TimeSpan pollIn, Lease fence, CancellationToken cancellationToken)
    {
        await using var batch = LeaseFence.CreateBatch(dataSource, fence);
        batch.BatchCommands.Add(new("""
            update orchestrator.batch
            set remote_batch_id = $2, state = $3, remote_status = $3, next_poll_at = now() + $4, submitted_at = now(), updated_at = now()
            where id = $1 and remote_batch_id is null
            """) { Parameters = { Id(batchId), Text(remoteBatchId), StateParameters.Name(state), new NpgsqlParameter<TimeSpan> { TypedValue = pollIn } } });
        batch.BatchCommands.Add(new(
            "update orchestrator.file_version set state = $2, updated_at = now() where batch_id = $1 and state = any($3)")
        { Parameters = { Id(batchId), FileVersionLifecycle.Submit.TargetState(), FileVersionLifecycle.Submit.FromStates() } });
        await LeaseFence.RunAsync(fence, () => batch.ExecuteNonQueryAsync(cancellationToken));
    }

    public async Task<IReadOnlyList<string>> GetRemoteFileIdsAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select remote_file_id from orchestrator.file_version
            where batch_id = $1 and remote_file_id is not null and state = any($2)
            order by id
            """);
        command.Parameters.Add(Id(batchId));
        command.Parameters.Add(StateParameters.Names(FileVersionLifecycle.InBatchRemotely));
        return await command.ReadColumnAsync<string>(cancellationToken);
    }
}
