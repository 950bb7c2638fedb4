using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Persistence.Leases;
using NpgsqlTypes;

namespace BatchOrchestrator.Persistence.FollowUp;

/// <summary>
/// Follow-up state on <c>orchestrator.batch_result</c> (per job reference) and <c>orchestrator.batch</c>
/// (when to look next). Outcomes of a chunk are written in one round trip, as unnest arrays.
/// </summary>
internal sealed partial class NpgsqlFollowUpStore(NpgsqlDataSource dataSource) : IFollowUpStore
{
    // A copy k (file_copy) of version v waits for the result of reference r when r is v's current job, v succeeded,
    // and that job's result is not yet delivered (or ended) under the copy's name. $w: the waiting follow-up states; $s: Succeeded.
    private static string CopyWaits(string w, string s) => $"""
        v.state = {s} and v.job_id = r.job_id and (k.job_id is distinct from r.job_id or k.follow_up_state = any({w}))
        """;

    public async Task<IReadOnlyList<DueFollowUp>> ClaimDueAsync(int max, TimeSpan claimFor, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update orchestrator.batch b set follow_up_next_at = now() + $2
            from (
                select id from orchestrator.batch
                where follow_up_next_at <= now()
                order by follow_up_next_at
                limit $1
                for update skip locked
            ) due
            where b.id = due.id
            returning b.id, b.source_name
            """);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
        command.Parameters.Add(Interval(claimFor));
        var due = new List<DueFollowUp>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add(new DueFollowUp(reader.GetInt64(0), reader.GetString(1)));
        }

        return due;
    }

    public async Task<FollowUpWork?> GetPendingAsync(long batchId, CancellationToken cancellationToken)
    {
        // A reference whose result is in every sink comes back while a copy of its version still waits for it, and one
        // that ended comes back while a look for its job's late bill is due (docs/costs.md, "Late bills").
        await using var command = dataSource.CreateCommand($"""
            select b.source_name, b.follow_up_checks,
                   r.id, r.file_version_id, v.relative_path, r.source_directory_file_id, r.job_type, r.job_id, r.follow_up_attempts,
                   {Superseded("$2")},
                   b.project_id, b.organization_id, v.stored_file_id,
                   c.reserved_credits, c.tier, (v.escalated_at is not null or b.escalation),
                   r.follow_up_state <> all($3), copies.ids, copies.paths, copies.attempts, v.process_attempts,
                   b.cancel_requested_at is not null, r.cancel_requested_at is not null, b.configuration_id, c.settled_at is not null,
                   coalesce(c.bill_look_at <= now() and c.settled_at is null, false), coalesce(c.bill_looks, 0)
            from orchestrator.batch b
            left join orchestrator.batch_result r on r.batch_id = b.id and (r.follow_up_state = any($3) or (r.follow_up_state = $2 and exists (
                select 1 from orchestrator.file_copy k join orchestrator.file_version v on v.id = k.file_version_id
                where k.file_version_id = r.file_version_id and {CopyWaits("$3", "$4")})) or exists (
                select 1 from orchestrator.credit_charge d
                where d.batch_id = r.batch_id and d.file_version_id = r.file_version_id and d.bill_look_at <= now() and d.settled_at is null))
            left join orchestrator.file_version v on v.id = r.file_version_id
            left join orchestrator.credit_charge c on c.batch_id = b.id and c.file_version_id = r.file_version_id
            left join lateral (
                select array_agg(k.id order by k.id) as ids, array_agg(k.relative_path order by k.id) as paths,
                       array_agg(case when k.job_id = r.job_id then k.follow_up_attempts else 0 end order by k.id) as attempts
                from orchestrator.file_copy k
                where k.file_version_id = v.id and (r.follow_up_state = any($3) or r.follow_up_state = $2) and {CopyWaits("$3", "$4")}) copies on true
            where b.id = $1
            order by r.id
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = batchId });
        command.Parameters.Add(StateParameters.Name(FollowUpState.FollowedUp));
        command.Parameters.Add(StateParameters.Names(FollowUpLifecycle.Waiting));
        command.Parameters.Add(StateParameters.Name(FollowUpLifecycle.FollowedOutcome));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        string? source = null;
        var checks = 0;
        var cancelRequested = false;
        var scope = default(Core.LlamaCloud.ProjectScope);
        string? configurationId = null;
        var items = new List<FollowUpItem>();
        while (await reader.ReadAsync(cancellationToken))
        {
            source = reader.GetString(0);
            checks = reader.GetInt32(1);
            cancelRequested = reader.GetBoolean(21);
            scope = Batches.ScopeColumns.Read(reader, 10);
            configurationId = reader.GetString(23);
            if (reader.IsDBNull(2))
            {
                continue; // the batch has nothing waiting
            }

            items.Add(new FollowUpItem(
                reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetString(5),
                reader.GetString(6),
                reader.GetString(7),
                reader.GetInt32(8),
                !reader.IsDBNull(9) && reader.GetBoolean(9),
                reader.IsDBNull(12) ? null : reader.GetString(12),
                reader.IsDBNull(13) ? null : reader.GetDecimal(13),
                reader.IsDBNull(14) ? null : reader.GetString(14),
                !reader.IsDBNull(15) && reader.GetBoolean(15))
            {
                CopiesOnly = reader.GetBoolean(16),
                Copies = reader.IsDBNull(17) ? [] : CopiesOf(reader.GetFieldValue<long[]>(17), reader.GetFieldValue<string[]>(18), reader.GetFieldValue<int[]>(19)),
                VersionAttempts = reader.IsDBNull(20) ? 0 : reader.GetInt32(20),
                CancelRequested = !reader.IsDBNull(22) && reader.GetBoolean(22),
                SettledBefore = reader.GetBoolean(24),
                BillDue = reader.GetBoolean(25),
                BillLooks = reader.GetInt32(26),
            });
        }

        return source is null ? null : new FollowUpWork(batchId, source, checks, items, scope, cancelRequested) { ConfigurationId = configurationId };
    }

    private static FileCopy[] CopiesOf(long[] ids, string[] paths, int[] attempts) =>
        [.. ids.Select((id, i) => new FileCopy(id, paths[i], attempts[i]))];

    public async Task SaveAsync(IReadOnlyList<FollowUpOutcome> outcomes, IReadOnlyList<CopyOutcome> copies, Lease fence, CancellationToken cancellationToken)
    {
        // Fenced: a holder stalled past its lease would set back what the new holder wrote since (a verdict on a version delivered
        // since by a later batch, a charge settled at its own figure), each guard here being on state alone (docs/reliability.md).
        await using var batch = LeaseFence.CreateBatch(dataSource, fence);
        batch.BatchCommands.Add(new("""
            update orchestrator.batch_result r
            set follow_up_state = o.state, remote_job_status = coalesce(o.remote_status, r.remote_job_status),
                follow_up_attempts = r.follow_up_attempts + o.failed_attempt, follow_up_error = o.error,
                followed_up_at = case when o.state = any($6) then null else now() end,
                failed_pages = string_to_array(o.failed_pages, ',')::int[], failed_page_error = o.failed_page_error,
                file_verdict = coalesce(o.file_verdict, r.file_verdict)
            from unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $8::text[], $9::text[], $10::text[])
                as o(id, state, remote_status, failed_attempt, error, failed_pages, failed_page_error, file_verdict)
            where r.id = o.id and r.follow_up_state = any($7)
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<long[]> { TypedValue = [.. outcomes.Select(o => o.ResultId)] },
                StateParameters.Names(outcomes.Select(o => o.State)),
                new NpgsqlParameter<string?[]> { TypedValue = [.. outcomes.Select(o => o.RemoteJobStatus)] },
                new NpgsqlParameter<int[]> { TypedValue = [.. outcomes.Select(o => o.FailedAttempt ? 1 : 0)] },
                new NpgsqlParameter<string?[]> { TypedValue = [.. outcomes.Select(o => o.Error)] },
                StateParameters.Names(FollowUpLifecycle.Waiting),
                FollowUpLifecycle.Look.FromStates(),
                // A job's failed pages as "2,4" (null: none): unnest cannot take an array per row.
                new NpgsqlParameter<string?[]> { TypedValue = [.. outcomes.Select(o => o.FailedPages.Count == 0 ? null : string.Join(',', o.FailedPages))] },
                new NpgsqlParameter<string?[]> { TypedValue = [.. outcomes.Select(o => o.FailedPageError)] },
                // What the file got from this batch when the follow-up failed it, whether or not the version still had that job
                // (and for a RemoteOnly result, which has no version); null for an escalation, which only sends it again.
                new NpgsqlParameter<string?[]> { TypedValue = [.. outcomes.Select(o => o.Escalate ? null : o.FileState?.ToString())] },
            },
        });

        // The job itself failed or was cancelled: the file's story ends there (and may be retried by class). Only while that
        // job is still the version's: a mirror batches every version of its directory again, and an earlier batch's job
        // ending late must not fail the version a later batch's job has delivered since.
        var verdicts = outcomes.Where(o => o.FileState is not null && o.FileVersionId is not null && !o.Escalate).ToList();
        if (verdicts.Count > 0)
        {
            batch.BatchCommands.Add(new("""
                update orchestrator.file_version v
                set state = o.state, error_message = o.error, error_class = o.error_class, updated_at = now()
                from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $6::bigint[]) as o(id, state, error, error_class, result_id)
                join orchestrator.batch_result r on r.id = o.result_id
                where v.id = o.id and v.state = any($5) and v.job_id = r.job_id
                """)
            {
                Parameters =
                {
                    new NpgsqlParameter<long[]> { TypedValue = [.. verdicts.Select(o => o.FileVersionId!.Value)] },
                    StateParameters.Names(verdicts.Select(o => o.FileState!.Value)),
                    new NpgsqlParameter<string?[]> { TypedValue = [.. verdicts.Select(o => o.Error)] },
                    new NpgsqlParameter<string?[]> { TypedValue = [.. verdicts.Select(o => o.FileErrorClass?.ToString())] },
                    FileVersionLifecycle.JobVerdict.FromStates(),
                    new NpgsqlParameter<long[]> { TypedValue = [.. verdicts.Select(o => o.ResultId)] },
                },
            });
        }

        if (copies.Count > 0)
        {
            // Attempts count per job: a copy's first delivery of a newer job's result starts again from none. Only a
            // copy still of that version and not done with that job takes it (a scan may have changed it meanwhile).
            batch.BatchCommands.Add(new("""
                update orchestrator.file_copy k
                set follow_up_attempts = case when k.job_id is not distinct from o.job_id then k.follow_up_attempts else 0 end + o.failed_attempt,
                    job_id = o.job_id, follow_up_state = o.state, follow_up_error = o.error,
                    followed_up_at = case when o.state = any($7) then null else now() end, updated_at = now()
                from unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::text[]) as o(id, version_id, job_id, state, failed_attempt, error)
                where k.id = o.id and k.file_version_id = o.version_id
                  and (k.job_id is distinct from o.job_id or k.follow_up_state = any($8))
                """)
            {
                Parameters =
                {
                    new NpgsqlParameter<long[]> { TypedValue = [.. copies.Select(c => c.CopyId)] },
                    new NpgsqlParameter<long[]> { TypedValue = [.. copies.Select(c => c.FileVersionId)] },
                    new NpgsqlParameter<string[]> { TypedValue = [.. copies.Select(c => c.JobId)] },
                    StateParameters.Names(copies.Select(c => c.State)),
                    new NpgsqlParameter<int[]> { TypedValue = [.. copies.Select(c => c.FailedAttempt ? 1 : 0)] },
                    new NpgsqlParameter<string?[]> { TypedValue = [.. copies.Select(c => c.Error)] },
                    StateParameters.Names(FollowUpLifecycle.Waiting),
                    FollowUpLifecycle.Look.FromStates(),
                },
            });
        }

        CostCommands.Add(batch, outcomes);
        await LeaseFence.RunAsync(fence, () => batch.ExecuteNonQueryAsync(cancellationToken));
    }

    public Task ScheduleNextAsync(long batchId, DateTimeOffset nextLookAt, Lease fence, CancellationToken cancellationToken) =>
        SetNextLookAsync(batchId, nextLookAt, looks: 1, fence, cancellationToken);

    public Task PutBackAsync(long batchId, DateTimeOffset nextLookAt, Lease? fence, CancellationToken cancellationToken) =>
        SetNextLookAsync(batchId, nextLookAt, looks: 0, fence, cancellationToken);

    public async Task<int> RetryFailedAsync(long? batchId, CancellationToken cancellationToken)
    {
        // Only references whose file still stands as Succeeded with that job: a failed or cancelled
        // job ended the file's story, and retrying that is a new batch's business. Copies of such a file
        // whose delivery of that job's result ran out of attempts get another round with them.
        await using var command = dataSource.CreateCommand("""
            with reset as (
                update orchestrator.batch_result r
                set follow_up_state = $2, follow_up_attempts = 0, follow_up_error = null, followed_up_at = null
                from orchestrator.file_version v
                where v.id = r.file_version_id and v.state = $3 and v.job_id = r.job_id
                  and r.follow_up_state = any($4) and ($1::bigint is null or r.batch_id = $1)
                returning r.batch_id
            ), copies as (
                update orchestrator.file_copy k
                set follow_up_state = $2, follow_up_attempts = 0, follow_up_error = null, followed_up_at = null, updated_at = now()
                from orchestrator.file_version v
                join orchestrator.batch_result r on r.file_version_id = v.id and r.job_id = v.job_id
                where k.file_version_id = v.id and v.state = $3 and k.job_id = r.job_id
                  and k.follow_up_state = any($4) and ($1::bigint is null or r.batch_id = $1)
                returning r.batch_id
            ), due as (
                update orchestrator.batch set follow_up_next_at = now(), follow_up_checks = 0
                where id in (select batch_id from reset union select batch_id from copies)
                returning id
            )
            select ((select count(*) from reset) + (select count(*) from copies))::int
            """);
        command.Parameters.Add(new NpgsqlParameter<long?> { TypedValue = batchId, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(FollowUpLifecycle.Retry.TargetState());
        command.Parameters.Add(StateParameters.Name(FollowUpLifecycle.FollowedOutcome));
        command.Parameters.Add(FollowUpLifecycle.Retry.FromStates());
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
