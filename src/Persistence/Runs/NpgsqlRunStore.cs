using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Batches;
using Npgsql;

namespace BatchOrchestrator.Persistence.Runs;

/// <summary>Runs and batch planning in <c>orchestrator.run</c> / <c>orchestrator.batch</c>.</summary>
internal sealed partial class NpgsqlRunStore(NpgsqlDataSource dataSource) : IRunStore
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

        // Failed versions worth another batch (transient or throttled, below the source's limit) go
        // back to the queue first, so this run takes them with the new ones.
        await using (var retry = new NpgsqlCommand("""
            update orchestrator.file_version
            set state = 'Discovered', batch_id = null, unique_id = null, upload_started_at = null, remote_file_id = null, updated_at = now()
            where source_name = $1 and state = 'Failed' and error_class in ('Transient', 'Throttled') and process_attempts < $2
            """, connection, transaction))
        {
            retry.Parameters.Add(new NpgsqlParameter<string> { TypedValue = plan.Source });
            retry.Parameters.Add(new NpgsqlParameter<int> { TypedValue = plan.MaxAttempts });
            await retry.ExecuteNonQueryAsync(cancellationToken);
        }

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
            insert into orchestrator.batch (id, run_id, source_name, state, job_type, configuration_id, directory_name, file_count, project_id, organization_id)
            overriding system value
            select b.id, $1, $2, 'Planned', $3, $4, format('bo-%s-%s-%s', left(i.id::text, 8), $2, b.id), b.file_count, $7, $8
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
            insert.Parameters.Add(ScopeColumns.Project(plan.Scope));
            insert.Parameters.Add(ScopeColumns.Organization(plan.Scope));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        var assignment = chunks.SelectMany((chunk, i) => chunk.Select(id => (id, batch: batchIds[i]))).ToList();
        await using (var assign = new NpgsqlCommand("""
            update orchestrator.file_version v
            set batch_id = m.batch_id, run_id = $3,
                unique_id = 'fv-' || v.id || '-' || left(encode(v.sha256, 'hex'), 12),
                -- An attempt is a batch the version is put in (issue 4 records upload intent per chunk, not per file).
                attempts = v.attempts + 1,
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
