using BatchOrchestrator.Core.Cleanup;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Batches;

namespace BatchOrchestrator.Persistence.Cleanup;

/// <summary>
/// <c>orchestrator.remote_artefact</c>: the list of remote things to delete (migration 0060). Listing and
/// marking happen in one statement, so an artefact is listed once however many instances run it; claims
/// use SKIP LOCKED; every kind, layout and state is a parameter from Core.
/// </summary>
internal sealed class NpgsqlRemoteCleanupStore(NpgsqlDataSource dataSource) : IRemoteCleanupStore
{
    public async Task<int> ListAsync(IReadOnlyList<SourceRetention> retentions, int max, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();

        // The artefacts of job references whose result every sink has, under every name: a copy of the version (the
        // same content under another path) whose delivery has not succeeded yet keeps the job its result is read
        // from. Only a per-run batch's files are its own: a mirror's or remote-only directory belongs to the source,
        // so there only the job goes. The reference's own directory file: its version may have been sent again (a
        // reprocess) before this listing, and then names a new copy its new batch still uses; the stored file behind
        // the reference's is then read from LlamaCloud before that directory file goes.
        batch.BatchCommands.Add(Listing("""
            with r as (
                select r.id as result_id, r.batch_id, b.run_id, b.layout, r.job_type, r.job_id, v.id as version_id,
                       case when v.id is not null then r.source_directory_file_id end as remote_file_id,
                       case when v.remote_file_id = r.source_directory_file_id then v.stored_file_id end as stored_file_id,
                       case when v.remote_file_id = r.source_directory_file_id
                            then coalesce(v.remote_directory_id, b.remote_directory_id) else b.remote_directory_id end as directory_id,
                       coalesce(r.followed_up_at, now()) + s.after_ms * interval '1 millisecond' as due_at
                from orchestrator.batch_result r
                join orchestrator.batch b on b.id = r.batch_id
                join unnest($1::text[], $2::bigint[]) as s(source_name, after_ms) on s.source_name = b.source_name
                left join orchestrator.file_version v on v.id = r.file_version_id
                where r.follow_up_state = $3 and r.cleanup_listed_at is null
                  and not exists (
                      select 1 from orchestrator.file_copy k
                      where k.file_version_id = v.id and v.state = $11 and v.job_id = r.job_id
                        and (k.job_id is distinct from r.job_id or k.follow_up_state is distinct from $3))
                order by r.id
                limit $4
                for update of r skip locked),
            """ + ListedArtefacts, retentions, max, StateParameters.Name(FollowUpLifecycle.FollowedOutcome)));

        // The job references whose version was sent to its source's fallback: their result went to no sink and never
        // will, and the fallback uploaded the file again into a batch of its own, so nothing it needs is among them. The
        // version's columns name the fallback's copy by now: the reference's own ids are read (migration 0083).
        batch.BatchCommands.Add(Listing("""
            with r as (
                select r.id as result_id, r.batch_id, b.run_id, b.layout, r.job_type, r.job_id, r.file_version_id as version_id,
                       r.source_directory_file_id as remote_file_id, r.stored_file_id, b.remote_directory_id as directory_id,
                       coalesce(r.followed_up_at, r.escalated_at) + s.after_ms * interval '1 millisecond' as due_at
                from orchestrator.batch_result r
                join orchestrator.batch b on b.id = r.batch_id
                join unnest($1::text[], $2::bigint[]) as s(source_name, after_ms) on s.source_name = b.source_name
                where r.escalated_at is not null and r.cleanup_listed_at is null
                order by r.id
                limit $4
                for update of r skip locked),
            """ + ListedArtefacts, retentions, max));

        // A run's own directory, once every job reference in it has its result in every sink (or was sent to the
        // fallback) and every file artefact listed for it is gone: a file whose follow-up failed keeps the directory too.
        batch.BatchCommands.Add(Listing("""
            with d as (
                select b.id, b.run_id, b.remote_directory_id,
                       greatest(now(), coalesce(b.finished_at, now()) + s.after_ms * interval '1 millisecond') as due_at
                from orchestrator.batch b
                join unnest($1::text[], $2::bigint[]) as s(source_name, after_ms) on s.source_name = b.source_name
                where b.layout = $10 and b.state = $11 and b.remote_directory_id is not null and b.directory_cleanup_listed_at is null
                  and not exists (
                      select 1 from orchestrator.batch_result r
                      where r.batch_id = b.id and r.job_id is not null
                        and (r.cleanup_listed_at is null or (r.follow_up_state is distinct from $3 and r.escalated_at is null)))
                  and not exists (
                      select 1 from orchestrator.remote_artefact a
                      where a.batch_id = b.id and a.deleted_at is null and a.kind = any(array[$6, $7]))
                limit $4
                for update of b skip locked),
            listed as (
                update orchestrator.batch x set directory_cleanup_listed_at = now() from d where x.id = d.id returning x.id),
            inserted as (
                insert into orchestrator.remote_artefact (batch_id, run_id, kind, remote_id, due_at)
                select id, run_id, $8, remote_directory_id, due_at from d
                on conflict (kind, remote_id) do nothing)
            select count(*) from listed
            """, retentions, max, StateParameters.Name(BatchState.ResultsRecorded)));

        var listed = 0;
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        do
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                listed += (int)reader.GetInt64(0);
            }
        }
        while (await reader.NextResultAsync(cancellationToken));

        return listed;
    }

    // What a listed reference leaves at LlamaCloud, from the CTE r the statement starts with: its job, and in the per-run
    // layout its directory file and stored file. The reference is marked listed in the same statement, so it is listed once.
    private const string ListedArtefacts = """
            listed as (
                update orchestrator.batch_result x set cleanup_listed_at = now() from r where x.id = r.result_id returning x.id),
            artefacts as (
                select batch_id, run_id, $5 as kind, job_id as remote_id, job_type as parent_id, version_id, false as lookup, due_at
                from r where job_id is not null and job_type = any($9)
                union all
                select batch_id, run_id, $6, remote_file_id, directory_id, version_id, stored_file_id is null, due_at
                from r where layout = $10 and remote_file_id is not null and directory_id is not null
                union all
                select batch_id, run_id, $7, stored_file_id, null, version_id, false, due_at
                from r where layout = $10 and stored_file_id is not null),
            inserted as (
                insert into orchestrator.remote_artefact (batch_id, run_id, kind, remote_id, parent_id, file_version_id, lookup_stored_file, due_at)
                select batch_id, run_id, kind, remote_id, parent_id, version_id, lookup, due_at from artefacts
                on conflict (kind, remote_id) do nothing)
            select count(*) from listed
            """;

    // The listing statements share $1-$10: the retention per source, the follow-up state that frees a
    // result, the cap, the artefact kinds, the job types that can be deleted and the per-run layout.
    private static NpgsqlBatchCommand Listing(string sql, IReadOnlyList<SourceRetention> retentions, int max, params NpgsqlParameter[] more)
    {
        var command = new NpgsqlBatchCommand(sql)
        {
            Parameters =
            {
                new NpgsqlParameter<string[]> { TypedValue = [.. retentions.Select(r => r.Source)] },
                new NpgsqlParameter<long[]> { TypedValue = [.. retentions.Select(r => (long)r.After.TotalMilliseconds)] },
                StateParameters.Name(FollowUpState.FollowedUp),
                new NpgsqlParameter<int> { TypedValue = max },
                StateParameters.Name(RemoteArtefactKind.Job),
                StateParameters.Name(RemoteArtefactKind.DirectoryFile),
                StateParameters.Name(RemoteArtefactKind.StoredFile),
                StateParameters.Name(RemoteArtefactKind.Directory),
                new NpgsqlParameter<string[]> { TypedValue = RemoteCleaner.DeletableJobTypes },
                StateParameters.Name(RemoteLayout.PerRun),
            },
        };
        command.Parameters.AddRange(more);
        return command;
    }

    public async Task<IReadOnlyList<RemoteArtefact>> ClaimDueAsync(IReadOnlyList<SourceRetention> retentions, int max, TimeSpan claimFor, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            with c as (
                select id from orchestrator.remote_artefact
                where deleted_at is null and due_at <= now() and (claimed_until is null or claimed_until < now())
                  -- "Off" deletes nothing: queued while its source kept a retention, an artefact is spared once it no longer does.
                  and exists (select 1 from orchestrator.batch sb where sb.id = remote_artefact.batch_id and sb.source_name = any($3))
                  -- A job whose bill LlamaCloud had not recorded when it ended is kept while a look for that bill is owed
                  -- (docs/costs.md, "Late bills"): deleted, its bill could never be read, and its estimate would stand.
                  and not exists (
                      select 1 from orchestrator.credit_charge cc
                      where cc.file_version_id = remote_artefact.file_version_id and cc.batch_id = remote_artefact.batch_id
                        and cc.bill_look_at is not null and cc.settled_at is null)
                order by due_at, id
                limit $1
                for update skip locked)
            update orchestrator.remote_artefact a set claimed_until = now() + $2
            from c, orchestrator.batch b
            where a.id = c.id and b.id = a.batch_id
            returning a.id, a.batch_id, a.kind, a.remote_id, a.parent_id, a.attempts, a.lookup_stored_file, b.project_id, b.organization_id
            """);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
        command.Parameters.Add(Interval(claimFor));
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. retentions.Select(r => r.Source)] });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var claimed = new List<RemoteArtefact>();
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new RemoteArtefact(
                reader.GetInt64(0),
                reader.GetInt64(1),
                Enum.Parse<RemoteArtefactKind>(reader.GetString(2)),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetInt32(5),
                reader.GetBoolean(6),
                ScopeColumns.Read(reader, 7)));
        }

        return claimed;
    }

    public async Task AddStoredFileAsync(long directoryFileArtefactId, string storedFileId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            with f as (
                update orchestrator.remote_artefact set lookup_stored_file = false where id = $1
                returning batch_id, run_id, file_version_id, remote_id),
            -- Only while the version still names this directory file: one sent again since (to its fallback) names
            -- the new copy's stored file, which its own listing deletes later.
            v as (
                update orchestrator.file_version set stored_file_id = $2
                where id = (select file_version_id from f) and remote_file_id = (select remote_id from f))
            insert into orchestrator.remote_artefact (batch_id, run_id, kind, remote_id, file_version_id, due_at)
            select batch_id, run_id, $3, $2, file_version_id, now() from f
            on conflict (kind, remote_id) do nothing
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = directoryFileArtefactId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = storedFileId });
        command.Parameters.Add(StateParameters.Name(RemoteArtefactKind.StoredFile));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task SaveAsync(IReadOnlyList<ArtefactOutcome> outcomes, CancellationToken cancellationToken)
    {
        if (outcomes.Count == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand("""
            update orchestrator.remote_artefact a set
                deleted_at = case when o.done then now() end,
                found_gone = o.gone,
                attempts = a.attempts + case when o.attempted and not o.done then 1 else 0 end,
                last_error = case when o.attempted then o.error else a.last_error end,
                due_at = coalesce(o.retry_at, a.due_at),
                claimed_until = null
            from unnest($1::bigint[], $2::boolean[], $3::boolean[], $4::boolean[], $5::text[], $6::timestamptz[]) as o(id, done, gone, attempted, error, retry_at)
            where a.id = o.id and a.deleted_at is null
            """);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. outcomes.Select(o => o.Id)] });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. outcomes.Select(o => o.Done)] });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. outcomes.Select(o => o.FoundGone)] });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. outcomes.Select(o => o.Attempted)] });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. outcomes.Select(o => o.Error)] });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]> { TypedValue = [.. outcomes.Select(o => o.RetryAt)] });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
