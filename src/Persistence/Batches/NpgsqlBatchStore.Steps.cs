using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Persistence.Leases;

namespace BatchOrchestrator.Persistence.Batches;

/// <summary>
/// The bound on a batch's upload and submit steps: their attempts, their last error, and the end of a batch given up. The
/// refund and the give-up are fenced (docs/reliability.md, "Fencing"); the count is not: it is taken as the step begins.
/// </summary>
internal sealed partial class NpgsqlBatchStore
{
    public async Task<int> BeginStepAttemptAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "update orchestrator.batch set step_attempts = step_attempts + 1, updated_at = now() where id = $1 returning step_attempts");
        command.Parameters.Add(Id(batchId));
        return await command.ExecuteScalarAsync(cancellationToken) is int attempts ? attempts : 0;
    }

    public Task RefundStepAttemptAsync(long batchId, Lease fence, CancellationToken cancellationToken) =>
        LeaseFence.ExecuteAsync(
            dataSource, fence, "update orchestrator.batch set step_attempts = greatest(step_attempts - 1, 0) where id = $1", cancellationToken, Id(batchId));

    public async Task RecordStepErrorAsync(long batchId, string error, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("update orchestrator.batch set last_error = left($2, 2000) where id = $1");
        command.Parameters.Add(Id(batchId));
        command.Parameters.Add(Text(error));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<SentBack?> GiveUpAsync(long batchId, BatchAbandonment how, RetryRule retry, Lease fence, CancellationToken cancellationToken)
    {
        // The batch's last error goes into the reason, so a person sees what kept failing. Files already ended
        // (set aside one by one by the upload step) keep their own outcome. One LlamaCloud may have made is marked
        // until an operator says it was looked for: its files' class cannot say so for a batch with none of ours.
        await using var batch = LeaseFence.CreateBatch(dataSource, fence);
        batch.BatchCommands.Add(new("""
            update orchestrator.batch
            set state = $2, last_error = left($3 || coalesce('; last error: ' || last_error, ''), 4000), finished_at = now(), updated_at = now(),
                unconfirmed_since = case when $5 then now() end
            where id = $1 and remote_batch_id is null and state = any($4)
            """)
        {
            Parameters = { Id(batchId), BatchLifecycle.GiveUp.TargetState(), Text(how.Reason), BatchLifecycle.GiveUp.FromStates(), new NpgsqlParameter<bool> { TypedValue = how.MayBeBilled } },
        });
        batch.BatchCommands.Add(how switch
        {
            { BackToQueue: true, CountsAttempt: false } => Unchanged(batchId, how),
            { BackToQueue: true } => BackToQueue(batchId, how, retry),
            _ => FailFiles(batchId, how),
        });
        batch.BatchCommands.Add(RunCompletion.Command(batchId));
        // Never submitted, so nothing of it was billed: what planning reserved for its files frees its cap room
        // (a file sent back to the queue is reserved afresh by the planning that takes it). Unless an earlier attempt
        // may have created it unrecorded: then the reservations stay, an estimate that errs high rather than lets a
        // batch no row follows overrun a cap (docs/costs.md, "Settling").
        if (!how.MayBeBilled)
        {
            batch.BatchCommands.Add(Costs.ChargeSettlement.ReleaseUnused(batchId));
        }
        var sentBack = await LeaseFence.RunAsync(fence, async () =>
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            return await ReadSentBackAsync(reader, cancellationToken);
        });

        return batch.BatchCommands[1].RecordsAffected != 1 ? null : sentBack; // [0] is the fence's check
    }

    /// <summary>
    /// Counts what <see cref="Requeue"/> (and any other command of the batch that returns the same one boolean per file)
    /// did: each row says whether its file went back to the queue or failed for good. Commands returning no rows add nothing.
    /// </summary>
    internal static async Task<SentBack> ReadSentBackAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var (queued, usedUp) = (0, 0);
        do
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.GetBoolean(0))
                {
                    queued++;
                }
                else
                {
                    usedUp++;
                }
            }
        }
        while (await reader.NextResultAsync(cancellationToken));

        return new SentBack(queued, usedUp);
    }

    // Back to the queue while the retry rule allows the class another batch, as a batch that failed as a whole
    // does; for good after. Only when the batch row was given up just now.
    private static NpgsqlBatchCommand BackToQueue(long batchId, BatchAbandonment how, RetryRule retry) =>
        Requeue(batchId, how.Reason, how.ErrorClass, retry, FileVersionLifecycle.GiveUp.FromStates(), FileVersionState.Discovered, FileVersionState.Failed, givenUpAs: BatchLifecycle.GiveUp.TargetState());

    /// <summary>
    /// The batch's files in <paramref name="from"/> go back to the queue (<paramref name="queued"/>, out of the batch, to
    /// be uploaded afresh) while the retry rule allows their <paramref name="errorClass"/> another attempt ($2), and end
    /// <paramref name="final"/> after, each with <paramref name="reason"/> and what became of it. With <paramref name="givenUpAs"/>, only while
    /// the batch row is in that state and never reached LlamaCloud. Returns a row per file it moved, true when it was
    /// queued again (<see cref="ReadSentBackAsync"/>): the log tells the two apart from what was written, not from a guess.
    /// </summary>
    internal static NpgsqlBatchCommand Requeue(
        long batchId, string reason, FailureClass errorClass, RetryRule retry, NpgsqlParameter from,
        FileVersionState queued, FileVersionState final, NpgsqlParameter? givenUpAs = null)
    {
        var command = new NpgsqlBatchCommand("""
            update orchestrator.file_version
            set process_attempts = process_attempts + 1, error_class = $3, updated_at = now(),
                state = case when process_attempts + 1 < $2 then $4 else $5 end,
                batch_id = case when process_attempts + 1 < $2 then null else batch_id end,
                unique_id = case when process_attempts + 1 < $2 then null else unique_id end,
                upload_started_at = case when process_attempts + 1 < $2 then null else upload_started_at end,
                remote_file_id = case when process_attempts + 1 < $2 then null else remote_file_id end,
                -- An operator's approval outlives a batch that took it nowhere (its reservation is released at 0): the
                -- file queued again passes the caps at its next planning as approved, not held and approved twice. Not
                -- so a lost batch's file (ChargeSettlement.KeepUnread ran first): that batch may have billed what was
                -- approved, and the approval sent again past the caps would spend it twice (docs/costs.md, "Settling").
                cap_approved_at = case when process_attempts + 1 < $2 and exists (
                    select 1 from orchestrator.credit_charge c
                    where c.file_version_id = orchestrator.file_version.id and c.batch_id = $1 and c.approved
                      and not (c.settled_at is not null and c.billed_credits is null)) then now() else cap_approved_at end,
                error_message = case when process_attempts + 1 < $2
                    then $6 || '; queued for the next run'
                    else format('%s; %s %s, not retried again (MaxAttempts %s)', $6, process_attempts + 1, case when process_attempts + 1 = 1 then 'attempt' else 'attempts' end, $2) end
            where batch_id = $1 and state = any($7)
            """ + (givenUpAs is null ? "" : """

              and exists (select 1 from orchestrator.batch b where b.id = $1 and b.state = $8 and b.remote_batch_id is null)
            """) + """

            returning state = $4
            """)
        {
            Parameters =
            {
                Id(batchId), new NpgsqlParameter<int> { TypedValue = retry.AttemptLimit(errorClass) }, StateParameters.Name(errorClass),
                StateParameters.Name(queued), StateParameters.Name(final), Text(reason), from,
            },
        };
        if (givenUpAs is not null)
        {
            command.Parameters.Add(givenUpAs);
        }

        return command;
    }

    /// <summary>
    /// Back to the queue as they were before the batch took them, their attempts not counted (nothing about them failed),
    /// each with the reason; only when the batch row was given up just now. Returns a row per file, as <see cref="Requeue"/> does.
    /// </summary>
    private static NpgsqlBatchCommand Unchanged(long batchId, BatchAbandonment how) => new("""
        update orchestrator.file_version
        set state = $2, batch_id = null, unique_id = null, upload_started_at = null, remote_file_id = null, error_message = $3, updated_at = now(),
            -- As in a requeue: an operator's approval outlives a batch that took the file nowhere.
            cap_approved_at = case when exists (
                select 1 from orchestrator.credit_charge c
                where c.file_version_id = orchestrator.file_version.id and c.batch_id = $1 and c.approved) then now() else cap_approved_at end
        where batch_id = $1 and state = any($4)
          and exists (select 1 from orchestrator.batch b where b.id = $1 and b.state = $5 and b.remote_batch_id is null)
        returning true
        """)
    {
        Parameters =
        {
            Id(batchId), StateParameters.Name(FileVersionState.Discovered), Text(how.Reason),
            FileVersionLifecycle.GiveUp.FromStates(), BatchLifecycle.GiveUp.TargetState(),
        },
    };

    private static NpgsqlBatchCommand FailFiles(long batchId, BatchAbandonment how) => new("""
        update orchestrator.file_version
        set state = $2, error_class = $3, error_message = $4, process_attempts = process_attempts + 1, updated_at = now()
        where batch_id = $1 and state = any($5)
          and exists (select 1 from orchestrator.batch b where b.id = $1 and b.state = $6 and b.remote_batch_id is null)
        """)
    {
        Parameters =
        {
            Id(batchId), StateParameters.Name(FileVersionState.Failed), StateParameters.Name(how.ErrorClass), Text(how.Reason),
            FileVersionLifecycle.GiveUp.FromStates(), BatchLifecycle.GiveUp.TargetState(),
        },
    };
}
