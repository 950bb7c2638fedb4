using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Persistence.Batches;

namespace BatchOrchestrator.Persistence.Planning;

/// <summary>
/// Carries out <see cref="BatchPlanner"/>'s plans in <c>orchestrator.batch</c> and
/// <c>orchestrator.file_version</c>, one transaction per plan: the PerRun layout here (its caps and
/// reservations in <c>NpgsqlBatchPlanStore.Caps.cs</c>), the Mirror and RemoteOnly layouts in
/// <c>NpgsqlBatchPlanStore.Layouts.cs</c>.
/// </summary>
internal sealed partial class NpgsqlBatchPlanStore(NpgsqlDataSource dataSource) : IBatchPlanStore
{
    private const int FilesPerStatement = 10_000;

    public async Task<PlanOutcome> PlanBatchesAsync(long runId, BatchPlan plan, CancellationToken cancellationToken)
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

        // Under the caps' locks from here to the commit: no other planning reads the caps' use until this
        // one's reservations are written (docs/costs.md, "Caps").
        var cost = plan.Costs;
        await LockCapsAsync(connection, transaction, cost.LockScopes, cancellationToken);
        var used = await CapUseAsync(connection, transaction, runId, cost.Caps, cancellationToken);
        var candidates = await CandidatesAsync(connection, transaction, plan.Source, cancellationToken);
        if (candidates.Count == 0)
        {
            return new PlanOutcome([], new Allocation([], []));
        }

        var allocation = cost.Allocate(candidates, used);
        await HoldAsync(connection, transaction, runId, allocation.Held, cancellationToken);
        var batches = new List<(long Id, Reservation[] Files)>();
        foreach (var group in allocation.Taken.GroupBy(r => r.Escalation).OrderBy(g => g.Key))
        {
            // Escalations go in batches of their own: a batch has one configuration.
            var chunks = group.Chunk(plan.MaxFilesPerBatch).ToList();
            var ids = await NewBatchIdsAsync(connection, transaction, chunks.Count, cancellationToken);
            await InsertBatchesAsync(connection, transaction, runId, plan, group.First().Tier, group.Key, ids, [.. chunks.Select(c => c.Length)], cancellationToken);
            batches.AddRange(ids.Zip(chunks));
        }

        // A statement per few thousand files, not one for the whole run: a first run of a million files as one
        // update outlasted the command timeout (30 s), failed, and the next run would have failed the same way.
        foreach (var part in batches.Chunk(Math.Max(1, FilesPerStatement / plan.MaxFilesPerBatch)))
        {
            await AssignAsync(connection, transaction, runId, [.. part], cancellationToken);
            await ReserveAsync(connection, transaction, runId, plan.Source, [.. part], cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new PlanOutcome([.. batches.Select(b => b.Id)], allocation);
    }

    private static async Task<List<long>> NewBatchIdsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int count, CancellationToken cancellationToken)
    {
        // Ids first, so each batch's remote directory name can carry its id from the start.
        var batchIds = new List<long>(count);
        await using var ids = new NpgsqlCommand(
            "select nextval(pg_get_serial_sequence('orchestrator.batch', 'id')) from generate_series(1, $1)", connection, transaction);
        ids.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        await using var reader = await ids.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            batchIds.Add(reader.GetInt64(0));
        }

        return batchIds;
    }

    private static async Task InsertBatchesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, BatchPlan plan, PlannedTier tier, bool escalation, List<long> ids, int[] sizes, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand("""
            insert into orchestrator.batch
                (id, run_id, source_name, state, job_type, configuration_id, directory_name, file_count, project_id, organization_id, tier, escalation)
            overriding system value
            select b.id, $1, $2, $7, $3, $4, format('bo-%s-%s-%s', left(i.id::text, 8), $2, b.id), b.file_count, $8, $9, $10, $11
            from unnest($5::bigint[], $6::int[]) as b(id, file_count)
            cross join orchestrator.installation i
            """, connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = plan.Source });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = plan.JobType });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tier.ConfigurationId });
        insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = ids.ToArray() });
        insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = sizes });
        insert.Parameters.Add(BatchLifecycle.Plan.TargetState());
        insert.Parameters.Add(ScopeColumns.Project(plan.Scope));
        insert.Parameters.Add(ScopeColumns.Organization(plan.Scope));
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tier.Tier });
        insert.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = escalation });
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task AssignAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, List<(long Id, Reservation[] Files)> batches, CancellationToken cancellationToken)
    {
        var assignment = batches.SelectMany(b => b.Files.Select(f => (f.Id, Batch: b.Id))).ToList();
        await using var assign = new NpgsqlCommand("""
            update orchestrator.file_version v
            set batch_id = m.batch_id, run_id = $3, state = $4,
                unique_id = 'fv-' || v.id || '-' || left(encode(v.sha256, 'hex'), 12),
                -- An attempt is a batch the version is put in (upload intent is recorded per chunk, not per file).
                attempts = v.attempts + 1,
                held_cap = null, held_reason = null, held_run_id = null, held_at = null, cap_approved_at = null,
                updated_at = now()
            from unnest($1::bigint[], $2::bigint[]) as m(id, batch_id)
            where v.id = m.id
            """, connection, transaction);
        assign.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = assignment.Select(a => a.Id).ToArray() });
        assign.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = assignment.Select(a => a.Batch).ToArray() });
        assign.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        assign.Parameters.Add(FileVersionLifecycle.Plan.TargetState());
        await assign.ExecuteNonQueryAsync(cancellationToken);
    }
}
