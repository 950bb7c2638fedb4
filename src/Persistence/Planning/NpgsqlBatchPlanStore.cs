using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Persistence.Batches;
using BatchOrchestrator.Persistence.Sources;

namespace BatchOrchestrator.Persistence.Planning;

/// <summary>
/// Carries out <see cref="BatchPlanner"/>'s plans in <c>orchestrator.batch</c> and
/// <c>orchestrator.file_version</c>, one transaction per plan: the PerRun layout here, the Mirror layout in
/// <c>NpgsqlBatchPlanStore.Layouts.cs</c> (RemoteOnly in <c>….RemoteOnly.cs</c>), the caps and reservations both PerRun and
/// Mirror planning make in <c>NpgsqlBatchPlanStore.Caps.cs</c>.
/// </summary>
internal sealed partial class NpgsqlBatchPlanStore(NpgsqlDataSource dataSource) : IBatchPlanStore
{
    // Candidates read, and versions assigned and reserved, per statement: a first run of a million files as one
    // update outlasted the command timeout (30 s), failed, and the next run would have failed the same way.
    private const int FilesPerStatement = 10_000;

    /// <summary>
    /// Failed versions the retry rule takes back (a retried class, below the source's limit) go back to the queue first,
    /// so the run takes them with the new ones: out of their batch, their remote copy let go (a mirror's is removed as a
    /// copy no version holds, and the file uploaded again).
    /// </summary>
    private static async Task TakeBackRetriedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BatchPlan plan, CancellationToken cancellationToken)
    {
        await using var retry = new NpgsqlCommand("""
            update orchestrator.file_version
            set state = $3, batch_id = null, unique_id = null, upload_started_at = null, remote_file_id = null, updated_at = now()
            where source_name = $1 and state = any($4) and error_class = any($5) and process_attempts < $2
            """, connection, transaction);
        retry.Parameters.Add(new NpgsqlParameter<string> { TypedValue = plan.Source });
        retry.Parameters.Add(new NpgsqlParameter<int> { TypedValue = plan.Retry.MaxAttempts });
        retry.Parameters.Add(FileVersionLifecycle.Retry.TargetState());
        retry.Parameters.Add(FileVersionLifecycle.Retry.FromStates());
        retry.Parameters.Add(StateParameters.Names(RetryRule.RetriedClasses));
        await retry.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Skips the held versions whose file changed or went since (<see cref="FileVersionLifecycle.HeldGone"/>).</summary>
    private static async Task SkipHeldGoneAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BatchPlan plan, CancellationToken cancellationToken)
    {
        await using var skip = new NpgsqlCommand($"""
            update orchestrator.file_version fv
            set state = $2, error_message = $4, error_class = null, updated_at = now(),
                held_cap = null, held_reason = null, held_run_id = null, held_at = null, cap_approved_at = null
            where fv.source_name = $1 and fv.state = any($3) and fv.batch_id is null and not {InTheFolderNow.Condition}
            """, connection, transaction);
        skip.Parameters.Add(new NpgsqlParameter<string> { TypedValue = plan.Source });
        skip.Parameters.Add(FileVersionLifecycle.HeldGone.TargetState());
        skip.Parameters.Add(FileVersionLifecycle.HeldGone.FromStates());
        skip.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "its file changed or was deleted while a spending cap held it: that content is no longer in the folder" });
        await skip.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<PlanOutcome> PlanBatchesAsync(long runId, BatchPlan plan, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await TakeBackRetriedAsync(connection, transaction, plan, cancellationToken);
        await SkipHeldGoneAsync(connection, transaction, plan, cancellationToken);

        // Under the caps' locks from here to the commit: no other planning reads the caps' use until this
        // one's reservations are written (docs/costs.md, "Caps").
        var cost = await WindowsAsync(connection, transaction, plan.Costs, cancellationToken);
        await LockCapsAsync(connection, transaction, cost.LockScopes, cancellationToken);
        var used = await CapUseAsync(connection, transaction, runId, cost.Caps, cancellationToken);

        // A page of candidates at a time, in id order, each page decided, held and written before the next is
        // read: a first run of a million new files holds a page in memory, not the million (bench: scan-memory).
        // Batches fill across pages; escalations go in batches of their own (a batch has one configuration).
        var allocator = cost.Start(used);
        var tally = new PlanTally();
        var batchIds = new List<long>();
        var filling = new Dictionary<bool, List<Reservation>> { [false] = [], [true] = [] };
        var after = 0L;
        while (await CandidatesAsync(connection, transaction, plan.Source, after, FilesPerStatement, cancellationToken) is { Count: > 0 } page)
        {
            after = page[^1].Id;
            var held = new List<HeldVersion>();
            foreach (var candidate in page)
            {
                var (taken, hold) = allocator.Decide(candidate);
                if (taken is { } reservation)
                {
                    tally.Add(reservation);
                    filling[reservation.Escalation].Add(reservation);
                }
                else
                {
                    held.Add(hold!.Value);
                    tally.Add(hold.Value);
                }
            }

            await HoldAsync(connection, transaction, runId, held, tally, cancellationToken);
            foreach (var (escalation, files) in filling)
            {
                batchIds.AddRange(await WriteBatchesAsync(connection, transaction, runId, plan, escalation, files, whole: true, cancellationToken));
            }
        }

        foreach (var (escalation, files) in filling)
        {
            batchIds.AddRange(await WriteBatchesAsync(connection, transaction, runId, plan, escalation, files, whole: false, cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return new PlanOutcome(batchIds, tally);
    }

    /// <summary>
    /// Writes the taken versions waiting in <paramref name="files"/> as batches of the plan's size, and removes them
    /// from it; the last, smaller batch only when <paramref name="whole"/> is false (no candidates are left).
    /// </summary>
    private static async Task<List<long>> WriteBatchesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, BatchPlan plan, bool escalation, List<Reservation> files, bool whole, CancellationToken cancellationToken)
    {
        var count = whole ? files.Count / plan.MaxFilesPerBatch * plan.MaxFilesPerBatch : files.Count;
        if (count == 0)
        {
            return [];
        }

        var chunks = files.Take(count).Chunk(plan.MaxFilesPerBatch).ToList();
        files.RemoveRange(0, count);
        var ids = await NewBatchIdsAsync(connection, transaction, chunks.Count, cancellationToken);
        await InsertBatchesAsync(connection, transaction, runId, plan, chunks[0][0].Tier, escalation, ids, [.. chunks.Select(c => c.Length)], cancellationToken);
        List<(long Id, Reservation[] Files)> batches = [.. ids.Zip(chunks)];
        await AssignAsync(connection, transaction, runId, batches, cancellationToken);
        await ReserveAsync(connection, transaction, runId, plan.Source, batches, cancellationToken);
        return ids;
    }

    private static async Task<List<long>> NewBatchIdsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int count, CancellationToken cancellationToken)
    {
        // Ids first, so each batch's remote directory name can carry its id from the start.
        await using var ids = new NpgsqlCommand(
            "select nextval(pg_get_serial_sequence('orchestrator.batch', 'id')) from generate_series(1, $1)", connection, transaction);
        ids.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        return await ids.ReadColumnAsync<long>(cancellationToken);
    }

    private static async Task InsertBatchesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, BatchPlan plan, PlannedTier tier, bool escalation, List<long> ids, int[] sizes, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand("""
            insert into orchestrator.batch
                (id, run_id, source_name, state, job_type, configuration_id, directory_name, file_count, project_id, organization_id, tier, escalation, v1_parse_tier, v1_scope)
            overriding system value
            select b.id, $1, $2, $7, $3, $4, format('bo-%s-%s-%s', left(i.id::text, 8), $2, b.id), b.file_count, $8, $9, $10, $11, $12, $13
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
        insert.Parameters.Add(V1ParseTier(plan));
        insert.Parameters.Add(V1Scope(plan));
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
