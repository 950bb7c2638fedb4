using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Retries;
using NpgsqlTypes;

namespace BatchOrchestrator.Persistence.Batches;

/// <summary>The record step's one transaction: a terminal batch's per-file results, bulk and idempotent.</summary>
internal sealed partial class NpgsqlBatchStore
{
    public Task<RecordSummary> RecordResultsAsync(
        long batchId, BatchState remoteState, IReadOnlyList<FileResult> results, RecordPolicy policy, CancellationToken cancellationToken) =>
        RecordAsync(batchId, remoteState, results, policy, lost: null, cancellationToken);

    public async Task<DateTimeOffset> ListedShortSinceAsync(long batchId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "update orchestrator.batch set listed_short_since = coalesce(listed_short_since, $2) where id = $1 returning listed_short_since");
        command.Parameters.Add(Id(batchId));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetFieldValue<DateTimeOffset>(0);
    }

    // The same transaction with no result at all: what is left of the batch is exactly a batch that failed as a whole
    // (or was cancelled, when an operator had asked for that).
    public Task<RecordSummary> RecordLostAsync(long batchId, LostBatch lost, RecordPolicy policy, CancellationToken cancellationToken) =>
        RecordAsync(batchId, lost.EndsAs, [], policy, lost, cancellationToken);

    private async Task<RecordSummary> RecordAsync(
        long batchId, BatchState remoteState, IReadOnlyList<FileResult> results, RecordPolicy policy, LostBatch? lost, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockRow = new NpgsqlCommand("select state from orchestrator.batch where id = $1 for update", connection, transaction))
        {
            lockRow.Parameters.Add(Id(batchId));
            if (await lockRow.ExecuteScalarAsync(cancellationToken) is not string state || BatchLifecycle.Ended.Any(ended => ended.ToString() == state))
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

        var unreported = UnreportedCommand(batchId, remoteState, policy, lost?.FileReason);
        await using var merge = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                // One pass over the file versions: the update returns what it matched, and the ledger rows
                // take their file_version_id from it (a result matching none of ours keeps a null one). The
                // staging table is not analyzed: the planner sizes a never-analyzed table from its pages,
                // which is enough for these hash joins, and ANALYZE cost more than it saved (bench/).
                // Updating first also means the ledger's foreign-key checks find rows this transaction holds.
                // With follow-up off no job reference waits for it: nothing would ever look, and the stuck watch,
                // the follow-up lag and "Needs a person" would each call the finished jobs stuck.
                new("""
                    with updated as (
                        update orchestrator.file_version v
                        set state = s.outcome, job_type = s.job_type, job_id = s.job_id, error_message = s.error_message, error_class = s.error_class,
                            process_attempts = v.process_attempts + 1, updated_at = now()
                        from result_stage s
                        where v.batch_id = $1 and v.remote_file_id = s.source_directory_file_id and v.state = any($2)
                        returning v.id, s.source_directory_file_id)
                    insert into orchestrator.batch_result
                        (batch_id, file_version_id, source_directory_file_id, job_type, job_id, error_message, outcome, error_class, follow_up_state)
                    select $1, u.id, s.source_directory_file_id, s.job_type, s.job_id, s.error_message, s.outcome, s.error_class,
                           case when s.outcome = $3 and s.job_id is not null and $5 then $4 end
                    from result_stage s
                    left join updated u on u.source_directory_file_id = s.source_directory_file_id
                    """)
                {
                    Parameters =
                    {
                        Id(batchId), FileVersionLifecycle.Record.FromStates(), StateParameters.Name(FollowUpLifecycle.FollowedOutcome),
                        FollowUpLifecycle.Begin.TargetState(), new NpgsqlParameter<bool> { TypedValue = policy.FollowUpAt is not null },
                    },
                },
                unreported,
                // The files the batch reported failed with a class a later batch may cure: the next planning takes
                // them while below the source's MaxAttempts, and leaves them failed for good after (read as
                // Requeue's rows are, one per file, true when queued again).
                new("""
                    select v.process_attempts < $2
                    from orchestrator.batch_result r
                    join orchestrator.file_version v on v.id = r.file_version_id
                    where r.batch_id = $1 and v.batch_id = $1 and v.state = $3 and v.error_class = any($4)
                    """)
                {
                    Parameters =
                    {
                        Id(batchId), new NpgsqlParameter<int> { TypedValue = policy.MaxAttempts }, StateParameters.Name(FileVersionState.Failed),
                        StateParameters.Names(RetryRule.RetriedClasses),
                    },
                },
                new("""
                    update orchestrator.batch
                    set state = $4, remote_status = $2, finished_at = now(), updated_at = now(), last_error = coalesce($6, last_error),
                        -- A batch LlamaCloud no longer knows sends no webhook: its silence is not the endpoint's.
                        webhook_expected = webhook_expected and not $7,
                        follow_up_next_at = case when $3::timestamptz is not null and exists (
                            select 1 from orchestrator.batch_result r where r.batch_id = $1 and r.follow_up_state = any($5)) then $3::timestamptz end
                    where id = $1
                    """)
                {
                    Parameters =
                    {
                        Id(batchId), StateParameters.Name(remoteState), new NpgsqlParameter<DateTimeOffset?> { TypedValue = policy.FollowUpAt, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                        BatchLifecycle.Record.TargetState(), StateParameters.Names(FollowUpLifecycle.Waiting),
                        new NpgsqlParameter<string?> { TypedValue = lost?.BatchError, NpgsqlDbType = NpgsqlDbType.Text },
                        new NpgsqlParameter<bool> { TypedValue = lost is not null },
                    },
                },
                RunCompletion.Command(batchId),
                Costs.ChargeSettlement.KeepFailedJobs(batchId),
                Costs.ChargeSettlement.ReleaseUnused(batchId),
            },
        };
        if (remoteState != BatchState.Completed || policy.ListedShort)
        {
            // Before its files move: the files a batch said nothing of keep their reservations counted (ChargeSettlement.KeepUnread)
            // when it was lost (it ends Failed or Cancelled), failed or was cancelled. A FAILED batch's per-file set is unreliable (docs/llamacloud-api.md §2.1),
            // and a cancel may come after a file's job began: either may have billed a job it never named. So may a batch whose
            // list stopped short of the total it stated: the files it left out were counted in it.
            merge.BatchCommands.Insert(1, Costs.ChargeSettlement.KeepUnread(batchId, FileVersionLifecycle.RecordUnreported.FromStates()));
        }

        SentBack sentBack;
        await using (var reader = await merge.ExecuteReaderAsync(cancellationToken))
        {
            sentBack = await ReadSentBackAsync(reader, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new RecordSummary(
            results.Count(r => r.Outcome == FileVersionState.Succeeded),
            results.Count(r => r.Outcome == FileVersionState.Failed),
            unreported.RecordsAffected,
            AlreadyRecorded: false,
            Skipped: results.Count(r => r.Outcome == FileVersionState.Skipped),
            FollowUps: results.Count(r => FollowUpLifecycle.Follows(r.Outcome, r.JobId)),
            SentBack: sentBack);
    }

    // Files the batch said nothing about end as Core's lifecycle says for the batch's end (and whether an operator
    // asked to cancel it): back to the queue while the retry rule allows ($2 is the attempts the class is allowed), or
    // for good. They are given the lifecycle's reason, unless one is given (why the batch's results could not be read).
    private static NpgsqlBatchCommand UnreportedCommand(long batchId, BatchState remoteState, RecordPolicy policy, string? reason)
    {
        var retry = policy.Retry;
        var outcome = FileVersionLifecycle.Unreported(remoteState, policy.CancelRequested);
        var from = FileVersionLifecycle.RecordUnreported.FromStates();
        if (outcome.Retry is { } queued && outcome.ErrorClass is { } retried)
        {
            return Requeue(batchId, reason ?? FileVersionLifecycle.Requeued(remoteState), retried, retry, from, queued, outcome.Final);
        }

        if (outcome.ErrorClass is not { } failure)
        {
            return new("""
                update orchestrator.file_version set state = $2, error_message = 'batch cancelled before this file was processed', updated_at = now()
                where batch_id = $1 and state = any($3)
                """) { Parameters = { Id(batchId), StateParameters.Name(outcome.Final), from } };
        }

        // A class a later batch may cure is planned again while below the attempts it is allowed: a row per file says
        // which (read as Requeue's are).
        return new("""
            update orchestrator.file_version
            set state = $2, error_class = $3, process_attempts = process_attempts + 1, updated_at = now(),
                error_message = 'the completed batch reported no result for this file'
            where batch_id = $1 and state = any($4)
            """ + (failure.RetriedAutomatically() ? "\nreturning process_attempts < $5" : ""))
        {
            Parameters = { Id(batchId), StateParameters.Name(outcome.Final), StateParameters.Name(failure), from, new NpgsqlParameter<int> { TypedValue = retry.AttemptLimit(failure) } },
        };
    }

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
}
