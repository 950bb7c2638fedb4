using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using Npgsql;

namespace BatchOrchestrator.Persistence.Runs;

/// <summary>Runs and batch planning in <c>orchestrator.run</c> / <c>orchestrator.batch</c>.</summary>
internal sealed class NpgsqlRunStore(NpgsqlDataSource dataSource) : IRunStore
{
    public async Task<long> StartRunAsync(string source, RunTrigger trigger, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            with s as (insert into orchestrator.source (name) values ($1) on conflict do nothing)
            insert into orchestrator.run (source_name, trigger, state) values ($1, $2, 'Scanning') returning id
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = trigger.ToString() });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyList<long>> PlanBatchesAsync(long runId, BatchPlan plan, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var versionIds = new List<long>();
        await using (var pending = new NpgsqlCommand("""
            select id from orchestrator.file_version
            where source_name = $1 and state = 'Discovered' and batch_id is null
            order by id
            for update
            """, connection, transaction))
        {
            pending.Parameters.Add(new NpgsqlParameter<string> { TypedValue = plan.Source });
            await using var reader = await pending.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                versionIds.Add(reader.GetInt64(0));
            }
        }

        if (versionIds.Count == 0)
        {
            return [];
        }

        var chunks = versionIds.Chunk(plan.MaxFilesPerBatch).ToList();
        // Ids first, so each batch's remote directory name can carry its id from the start.
        var batchIds = new List<long>(chunks.Count);
        await using (var ids = new NpgsqlCommand(
            "select nextval(pg_get_serial_sequence('orchestrator.batch', 'id')) from generate_series(1, $1)", connection, transaction))
        {
            ids.Parameters.Add(new NpgsqlParameter<int> { TypedValue = chunks.Count });
            await using var reader = await ids.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                batchIds.Add(reader.GetInt64(0));
            }
        }

        await using (var insert = new NpgsqlCommand("""
            insert into orchestrator.batch (id, run_id, source_name, state, job_type, configuration_id, directory_name, file_count)
            overriding system value
            select b.id, $1, $2, 'Planned', $3, $4, format('bo-%s-%s-%s', left(i.id::text, 8), $2, b.id), b.file_count
            from unnest($5::bigint[], $6::int[]) as b(id, file_count)
            cross join orchestrator.installation i
            """, connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = plan.Source });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = plan.JobType });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = plan.ConfigurationId });
            insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = batchIds.ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = chunks.Select(c => c.Length).ToArray() });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        var assignment = chunks.SelectMany((chunk, i) => chunk.Select(id => (id, batch: batchIds[i]))).ToList();
        await using (var assign = new NpgsqlCommand("""
            update orchestrator.file_version v
            set batch_id = m.batch_id, run_id = $3,
                unique_id = 'fv-' || v.id || '-' || left(encode(v.sha256, 'hex'), 12),
                updated_at = now()
            from unnest($1::bigint[], $2::bigint[]) as m(id, batch_id)
            where v.id = m.id
            """, connection, transaction))
        {
            assign.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = assignment.Select(a => a.id).ToArray() });
            assign.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = assignment.Select(a => a.batch).ToArray() });
            assign.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
            await assign.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return batchIds;
    }

    public async Task<IReadOnlyList<long>> PlanMirrorBatchAsync(long runId, BatchPlan plan, bool batchAll, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var look = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new("select count(*)::int from orchestrator.batch where source_name = $1 and layout = 'Mirror' and state <> 'ResultsRecorded'") { Parameters = { Text(plan.Source) } },
                new("""
                    select remote_directory_id from orchestrator.batch
                    where source_name = $1 and layout = 'Mirror' and remote_directory_id is not null order by id desc limit 1
                    """) { Parameters = { Text(plan.Source) } },
            },
        };
        int open;
        string? directoryId = null;
        await using (var reader = await look.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            open = reader.GetInt32(0);
            await reader.NextResultAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                directoryId = reader.GetString(0);
            }
        }

        if (open > 0)
        {
            return []; // the mirror's next batch waits for the previous one; this run's changes go with it
        }

        // New versions, and the versions already in the mirror whose file is still there as it was.
        var members = new List<(long Id, bool IsNew)>();
        var stale = 0;
        await using (var select = new NpgsqlCommand("""
            select v.id, v.remote_file_id is null,
                   exists (select 1 from orchestrator.source_file f
                           where f.source_name = v.source_name and f.relative_path = v.relative_path and f.deleted_at is null
                             and (f.sha256 = v.sha256 or f.sha256 is null)) as current
            from orchestrator.file_version v
            where v.source_name = $1
              and ((v.state = 'Discovered' and v.batch_id is null)
                or (v.remote_directory_id = $2 and v.remote_file_id is not null and v.remote_deleted_at is null))
            order by v.id
            for update of v
            """, connection, transaction))
        {
            select.Parameters.Add(Text(plan.Source));
            select.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = directoryId, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var (id, isNew, current) = (reader.GetInt64(0), reader.GetBoolean(1), reader.GetBoolean(2));
                if (isNew)
                {
                    members.Add((id, true));
                }
                else if (current)
                {
                    members.Add((id, false));
                }
                else
                {
                    stale++; // deleted or replaced locally: the upload step removes its remote copy
                }
            }
        }

        if (members.Count == 0 || (!batchAll && stale == 0 && !members.Exists(m => m.IsNew)))
        {
            return [];
        }

        if (members.Count > plan.MaxFilesPerBatch)
        {
            throw new RunRefusedException(
                $"the mirror of '{plan.Source}' would hold {members.Count} files, more than one batch may cover ({plan.MaxFilesPerBatch}); "
                + "use Layout PerRun for this folder, or split it into several sources");
        }

        long batchId;
        await using (var insert = new NpgsqlCommand("""
            insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, remote_directory_id, file_count, layout)
            select $1, $2, 'Planned', $3, $4, format('bo-%s-%s-mirror', left(i.id::text, 8), $2), $5, $6, 'Mirror'
            from orchestrator.installation i
            returning id
            """, connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
            insert.Parameters.Add(Text(plan.Source));
            insert.Parameters.Add(Text(plan.JobType));
            insert.Parameters.Add(Text(plan.ConfigurationId));
            insert.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = directoryId, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = members.Count });
            batchId = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }

        // Versions already in the mirror are Uploaded as they are: nothing to send, only to batch again.
        await using (var assign = new NpgsqlCommand("""
            update orchestrator.file_version v
            set batch_id = $2, run_id = $3, updated_at = now(),
                unique_id = coalesce(v.unique_id, 'fv-' || v.id || '-' || left(encode(v.sha256, 'hex'), 12)),
                state = case when v.remote_file_id is null then 'Discovered' else 'Uploaded' end,
                error_message = null
            where v.id = any($1)
            """, connection, transaction))
        {
            assign.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = members.Select(m => m.Id).ToArray() });
            assign.Parameters.Add(new NpgsqlParameter<long> { TypedValue = batchId });
            assign.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
            await assign.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return [batchId];
    }

    public async Task<IReadOnlyList<long>> PlanRemoteOnlyBatchAsync(long runId, BatchPlan plan, string remoteDirectoryId, CancellationToken cancellationToken)
    {
        // No files of ours: the batch is born Creating over the given directory and goes straight to submit.
        await using var command = dataSource.CreateCommand("""
            insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, remote_directory_id, file_count, layout)
            select $1, $2, 'Creating', $3, $4, $5, $5, 0, 'RemoteOnly'
            where not exists (select 1 from orchestrator.batch where source_name = $2 and layout = 'RemoteOnly' and state <> 'ResultsRecorded')
            returning id
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        command.Parameters.Add(Text(plan.Source));
        command.Parameters.Add(Text(plan.JobType));
        command.Parameters.Add(Text(plan.ConfigurationId));
        command.Parameters.Add(Text(remoteDirectoryId));
        return await command.ExecuteScalarAsync(cancellationToken) is long id ? [id] : [];
    }

    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };

    public async Task FinishScanAsync(long runId, ScanSummary summary, int batchCount, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update orchestrator.run
            set state = case when $7 > 0 then 'Active' else 'NoChanges' end,
                finished_at = case when $7 > 0 then null else now() end,
                scanned_at = now(), files_seen = $2, files_new_or_changed = $3, files_unsettled = $4,
                new_versions = $5, batch_count = $7, error = $6, files_with_problems = $8
            where id = $1 and state = 'Scanning'
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = summary.Seen });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = summary.NewOrChanged });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = summary.Unsettled });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = summary.NewVersions });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = summary.Deferred > 0 ? $"{summary.Deferred} files could not be read or changed while hashing; the next scan retries them" : null });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchCount });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = summary.Problems });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task FailRunAsync(long runId, string error, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "update orchestrator.run set state = 'Failed', error = $2, finished_at = now() where id = $1 and state = 'Scanning'");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = error });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RequestRerunAsync(string source, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            insert into orchestrator.source (name, rerun_requested_at) values ($1, now())
            on conflict (name) do update set rerun_requested_at = now()
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> TakeRerunRequestAsync(string source, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "update orchestrator.source set rerun_requested_at = null where name = $1 and rerun_requested_at is not null");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }
}
