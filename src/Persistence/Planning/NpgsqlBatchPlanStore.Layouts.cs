using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Batches;

namespace BatchOrchestrator.Persistence.Planning;

/// <summary>Batch planning for the Mirror layout; PerRun planning is beside it, in <c>NpgsqlBatchPlanStore.cs</c>, RemoteOnly in <c>NpgsqlBatchPlanStore.RemoteOnly.cs</c>.</summary>
internal sealed partial class NpgsqlBatchPlanStore
{
    public async Task<PlanOutcome> PlanMirrorBatchAsync(long runId, BatchPlan plan, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Under the caps' locks from here to the commit, as PerRun planning (docs/costs.md, "Caps").
        var cost = await WindowsAsync(connection, transaction, plan.Costs, cancellationToken);
        await LockCapsAsync(connection, transaction, cost.LockScopes, cancellationToken);
        var tally = new PlanTally();
        await using var look = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new("select count(*)::int from orchestrator.batch where source_name = $1 and layout = $2 and state <> all($3)")
                {
                    Parameters = { Text(plan.Source), StateParameters.Name(RemoteLayout.Mirror), StateParameters.Names(BatchLifecycle.Ended) },
                },
                new($"select remote_directory_id, project_id, organization_id {LatestMirrorBatch}")
                {
                    Parameters = { Text(plan.Source), StateParameters.Name(RemoteLayout.Mirror) },
                },
                MirrorOwes(plan.Source, plan.Retry.MaxAttempts),
                MirrorUnconfirmed(plan.Source),
            },
        };
        int open;
        bool owed;
        long? unconfirmed;
        string? directoryId = null;
        await using (var reader = await look.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            open = reader.GetInt32(0);
            await reader.NextResultAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                directoryId = reader.GetString(0);
                if (ScopeColumns.Read(reader, 1) is var home && home != plan.Scope)
                {
                    // The directory lives in the project it was made in, and every call names the batch's project:
                    // the next batch would send its files to a directory the new project does not hold, and a new
                    // directory there would hold only the files changed since. Nothing is planned; the files wait.
                    throw new RunRefusedException(
                        $"the mirror of '{plan.Source}' is directory {directoryId} in project {home.Key}, but the source is now configured for project {plan.Scope.Key}; "
                        + "a mirror cannot move between projects: set the source's ProjectId and OrganizationId back, or give it a new name to start a new mirror there");
                }
            }

            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            owed = reader.GetBoolean(0);
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            unconfirmed = reader.IsDBNull(0) ? null : reader.GetInt64(0);
        }

        if (unconfirmed is not null)
        {
            // Every batch over the directory parses (and bills) every copy in it, these too: while a batch an earlier attempt
            // may have created still runs over them, a new one would pay for them twice. Nothing is planned; the files wait.
            throw new RunRefusedException(
                $"the mirror of '{plan.Source}' holds the files of batch {unconfirmed}, which LlamaCloud may have created (its submit step could not check), "
                + $"and a new batch over directory {directoryId} would parse and bill them again: look for that batch there, then retry {plan.Source} --failed --unconfirmed {unconfirmed}");
        }

        if (open > 0)
        {
            // The mirror's next batch waits for the previous one; this run's changes go with it, in a run asked for now:
            // the events and the settle run that found them are spent, and the schedule's next run may be a day away.
            return new([], tally) { WaitsForOpenBatch = owed };
        }

        // As in PerRun planning: a file whose job failed for a reason a later batch may cure goes again, with attempts left
        // (the look above counts it as owed). A mirror's later batch is the whole directory again; it is reserved whole
        // against the caps (docs/sources.md). Only now that a batch may be planned: a refused run, or one waiting for an
        // open batch, changes nothing.
        await TakeBackRetriedAsync(connection, transaction, plan, cancellationToken);
        await SkipHeldGoneAsync(connection, transaction, plan, cancellationToken);

        // New versions, and the versions already in the mirror whose file is still there as it was. A mirrored
        // version whose file changed since it was hashed (its look has no hash while the new content settles) is
        // neither: its remote copy is the old content, and any batch over the directory would parse and bill it.
        var toSend = new List<PlanCandidate>();
        var inMirror = new List<PlanCandidate>();
        var stale = 0;
        var settling = 0;
        await using (var select = new NpgsqlCommand($"""
            select v.id, v.remote_file_id is null, f.sha256 = v.sha256 as current, f.relative_path is not null and {MirroredLooks.Settling("$4")} as settling,
                   v.relative_path, v.size, v.pages, v.cap_approved_at is not null
            from orchestrator.file_version v
            left join orchestrator.source_file f
                on f.source_name = v.source_name and f.relative_path = v.relative_path and f.deleted_at is null
            where v.source_name = $1
              and ((v.state = any($3) and v.batch_id is null)
                or (v.remote_directory_id = $2 and v.remote_file_id is not null and v.remote_deleted_at is null))
            order by v.id
            for update of v
            """, connection, transaction))
        {
            select.Parameters.Add(Text(plan.Source));
            select.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = directoryId, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            select.Parameters.Add(FileVersionLifecycle.Plan.FromStates());
            select.Parameters.Add(MirroredLooks.FolderKinds());
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var (isNew, current, changing) = (reader.GetBoolean(1), !reader.IsDBNull(2) && reader.GetBoolean(2), reader.GetBoolean(3));
                var candidate = new PlanCandidate(
                    reader.GetInt64(0), reader.GetString(4), reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt32(6), false, reader.GetBoolean(7));
                if (isNew)
                {
                    toSend.Add(candidate);
                }
                else if (current)
                {
                    inMirror.Add(candidate);
                }
                else if (changing)
                {
                    settling++;
                }
                else
                {
                    stale++; // deleted or replaced locally: the upload step removes its remote copy
                }
            }
        }

        if (settling > 0)
        {
            // The mirror keeps the old copy and waits: the new content is hashed, uploaded in its place and batched
            // with the rest by the run after it settles (the scan counts it unsettled and schedules that run). Committed
            // all the same: held files gone from the folder are let go now (above), not once the mirror next has a batch.
            await transaction.CommitAsync(cancellationToken);
            return new([], tally);
        }

        // Nothing new: every file the directory holds is parsed already, and a batch over it would parse (and bill)
        // each again for results already had, whatever started the run. Copies of files deleted locally are still
        // removed, by a batch of no file: its upload step deletes them and it ends there, submitting nothing.
        if (toSend.Count == 0)
        {
            if (stale == 0)
            {
                await transaction.CommitAsync(cancellationToken); // the held files gone, let go as above
                return new([], tally);
            }

            var removal = await InsertMirrorBatchAsync(connection, transaction, runId, plan, directoryId, 0, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new([removal], tally);
        }

        var count = toSend.Count + inMirror.Count;

        if (count > plan.MaxFilesPerBatch)
        {
            throw new RunRefusedException(
                $"the mirror of '{plan.Source}' would hold {count} files, more than one batch may cover ({plan.MaxFilesPerBatch}); "
                + "use Layout PerRun for this folder, or split it into several sources");
        }

        // LlamaCloud parses every file in the directory, those already there too: each is reserved, or, when the whole
        // does not fit a cap, the files to send are held and no batch is made (it cannot be split).
        var allocation = cost.AllocateWhole(toSend, inMirror, await CapUseAsync(connection, transaction, runId, cost.Caps, cancellationToken));
        if (allocation.Held.Count > 0)
        {
            await HoldAsync(connection, transaction, runId, [.. allocation.Held], tally, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            foreach (var held in allocation.Held)
            {
                tally.Add(held);
            }

            return new([], tally);
        }

        var batchId = await InsertMirrorBatchAsync(connection, transaction, runId, plan, directoryId, count, cancellationToken);

        // Only the versions to send join the batch now. Those already in the mirror are reserved (below) and join it once
        // one of these is uploaded (NpgsqlUploadStore.FinishUploadsAsync): should none be, a batch over the directory would
        // parse and bill every copy in it again for results already had, so it ends there, submitting nothing.
        await using (var assign = new NpgsqlCommand("""
            update orchestrator.file_version v
            set batch_id = $2, run_id = $3, updated_at = now(),
                unique_id = coalesce(v.unique_id, 'fv-' || v.id || '-' || left(encode(v.sha256, 'hex'), 12)),
                state = $4, error_message = null,
                held_cap = null, held_reason = null, held_run_id = null, held_at = null, cap_approved_at = null
            where v.id = any($1)
            """, connection, transaction))
        {
            assign.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. toSend.Select(r => r.Id)] });
            assign.Parameters.Add(new NpgsqlParameter<long> { TypedValue = batchId });
            assign.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
            assign.Parameters.Add(FileVersionLifecycle.Plan.TargetState());
            await assign.ExecuteNonQueryAsync(cancellationToken);
        }

        await ReserveAsync(connection, transaction, runId, plan.Source, [(batchId, [.. allocation.Taken])], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var reservation in allocation.Taken)
        {
            tally.Add(reservation);
        }

        return new([batchId], tally);
    }

    private static async Task<long> InsertMirrorBatchAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, BatchPlan plan, string? directoryId, int count, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand("""
            insert into orchestrator.batch
                (run_id, source_name, state, job_type, configuration_id, directory_name, remote_directory_id, file_count, layout, project_id, organization_id, tier, v1_parse_tier, v1_scope)
            select $1, $2, $7, $3, $4, format('bo-%s-%s-mirror', left(i.id::text, 8), $2), $5, $6, $8, $9, $10, $11, $12, $13
            from orchestrator.installation i
            returning id
            """, connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        insert.Parameters.Add(Text(plan.Source));
        insert.Parameters.Add(Text(plan.JobType));
        insert.Parameters.Add(Text(plan.ConfigurationId));
        insert.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = directoryId, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        insert.Parameters.Add(BatchLifecycle.Plan.TargetState());
        insert.Parameters.Add(StateParameters.Name(RemoteLayout.Mirror));
        insert.Parameters.Add(ScopeColumns.Project(plan.Scope));
        insert.Parameters.Add(ScopeColumns.Organization(plan.Scope));
        insert.Parameters.Add(Text(plan.Costs.Primary.Tier));
        insert.Parameters.Add(V1ParseTier(plan));
        insert.Parameters.Add(V1Scope(plan));
        return (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The tier a v1_parse batch asks for, or null (none, the service's default; or not v1_parse).</summary>
    private static NpgsqlParameter<string?> V1ParseTier(BatchPlan plan) =>
        new() { TypedValue = plan.V1ParseTier, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text };

    /// <summary>What a v1 batch is created over, or null (a v2 batch).</summary>
    private static NpgsqlParameter<string?> V1Scope(BatchPlan plan) =>
        new() { TypedValue = plan.V1Scope?.ToString(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text };
}
