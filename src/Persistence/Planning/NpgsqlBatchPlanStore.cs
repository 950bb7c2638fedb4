using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Persistence.Batches;

namespace BatchOrchestrator.Persistence.Planning;

/// <summary>
/// Carries out <see cref="BatchPlanner"/>'s plans in <c>orchestrator.batch</c> and
/// <c>orchestrator.file_version</c>, one transaction per plan: the PerRun layout here, the Mirror and
/// RemoteOnly layouts in <c>NpgsqlBatchPlanStore.Layouts.cs</c>.
/// </summary>
internal sealed partial class NpgsqlBatchPlanStore(NpgsqlDataSource dataSource) : IBatchPlanStore
{
    public async Task<IReadOnlyList<long>> PlanBatchesAsync(long runId, BatchPlan plan, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Failed versions the retry rule takes back (a retried class, below the source's limit) go back
        // to the queue first, so this run takes them with the new ones.
        await using (var retry = new NpgsqlCommand("""
            update orchestrator.file_version
            set state = $3, batch_id = null, unique_id = null, upload_started_at = null, remote_file_id = null, updated_at = now()
            where source_name = $1 and state = any($4) and error_class = any($5) and process_attempts < $2
            """, connection, transaction))
        {
            retry.Parameters.Add(new NpgsqlParameter<string> { TypedValue = plan.Source });
            retry.Parameters.Add(new NpgsqlParameter<int> { TypedValue = plan.Retry.MaxAttempts });
            retry.Parameters.Add(FileVersionLifecycle.Retry.TargetState());
            retry.Parameters.Add(FileVersionLifecycle.Retry.FromStates());
            retry.Parameters.Add(StateParameters.Names(RetryRule.RetriedClasses));
            await retry.ExecuteNonQueryAsync(cancellationToken);
        }

        var versionIds = new List<long>();
        await using (var pending = new NpgsqlCommand("""
            select id from orchestrator.file_version
            where source_name = $1 and state = any($2) and batch_id is null
            order by id
            for update
            """, connection, transaction))
        {
            pending.Parameters.Add(new NpgsqlParameter<string> { TypedValue = plan.Source });
            pending.Parameters.Add(FileVersionLifecycle.Plan.FromStates());
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
            select b.id, $1, $2, $7, $3, $4, format('bo-%s-%s-%s', left(i.id::text, 8), $2, b.id), b.file_count, $8, $9
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
            insert.Parameters.Add(BatchLifecycle.Plan.TargetState());
            insert.Parameters.Add(ScopeColumns.Project(plan.Scope));
            insert.Parameters.Add(ScopeColumns.Organization(plan.Scope));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        var assignment = chunks.SelectMany((chunk, i) => chunk.Select(id => (id, batch: batchIds[i]))).ToList();
        await using (var assign = new NpgsqlCommand("""
            update orchestrator.file_version v
            set batch_id = m.batch_id, run_id = $3,
                unique_id = 'fv-' || v.id || '-' || left(encode(v.sha256, 'hex'), 12),
                -- An attempt is a batch the version is put in (upload intent is recorded per chunk, not per file).
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
}
