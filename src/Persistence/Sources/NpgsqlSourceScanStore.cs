using System.Runtime.CompilerServices;
using BatchOrchestrator.Core.Sources;
using NpgsqlTypes;

namespace BatchOrchestrator.Persistence.Sources;

/// <summary>
/// Scan state in bulk: the stored looks stream out in primary-key order (byte order, collation "C"),
/// only the differences stream back in with binary COPY, and hashes and problems are written per chunk
/// in set-based statements, never one query per file.
/// </summary>
internal sealed class NpgsqlSourceScanStore(NpgsqlDataSource dataSource) : ISourceScanStore
{
    public async IAsyncEnumerable<StoredLook> ReadLooksAsync(string source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The primary key (source_name, relative_path collate "C") hands these out in order without a sort.
        await using var command = dataSource.CreateCommand("""
            select relative_path, size, mtime_ticks, first_seen_at, sha256 is not null, deleted_at is not null
            from orchestrator.source_file
            where source_name = $1
            order by relative_path
            """);
        command.Parameters.Add(Text(source));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new StoredLook(
                reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetBoolean(4), reader.GetBoolean(5));
        }
    }

    public IScanDiffWriter BeginDiff(string source, DateTimeOffset scanTime) => new ScanDiffWriter(dataSource, source, scanTime);

    public async IAsyncEnumerable<FileObservation> ReadHashCandidatesAsync(
        string source, DateTimeOffset settledBefore, long maxFileBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select relative_path, size, mtime_ticks from orchestrator.source_file
            where source_name = $1 and sha256 is null and deleted_at is null and first_seen_at <= $2
              and size between 1 and $3
            """);
        command.Parameters.Add(Text(source));
        command.Parameters.Add(Timestamp(settledBefore));
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = maxFileBytes });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new FileObservation(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2));
        }
    }

    public async Task<HashesRecorded> RecordHashesAsync(string source, DedupeKey key, RemoteLayout layout, IReadOnlyList<HashedFile> files, CancellationToken cancellationToken)
    {
        // Only a hash still matching the stored (size, mtime) counts. A version that was skipped
        // (its file changed or vanished before upload) comes back to life when its content reappears; not one skipped
        // because an operator cancelled its batch (SkippedByCancel), which a touch, a rename or a copy would otherwise
        // send and bill again, against what the operator asked.
        // Every other path hashed to content that is a version under another name is a copy of that version
        // (file_copy): not sent again, but on the record and given the version's result under its own name.
        // A copy whose version's result was delivered already makes its batch's follow-up due now, for its own.
        await using var command = dataSource.CreateCommand($"""
            with hashed as (
                select * from unnest($2::text[], $3::bigint[], $4::bigint[], $5::bytea[], $10::int[], $11::text[], $12::boolean[])
                    as h(relative_path, size, mtime_ticks, sha256, pages, pages_basis, pages_estimated)
            ), stored as (
                update orchestrator.source_file f set sha256 = h.sha256
                from hashed h
                where f.source_name = $1 and f.relative_path = h.relative_path and f.size = h.size and f.mtime_ticks = h.mtime_ticks
                returning f.relative_path, f.size, f.mtime_ticks, f.sha256, h.pages, h.pages_basis, h.pages_estimated,
                          case when $6 then encode(f.sha256, 'hex') || ':' || f.relative_path
                          -- By content alone, the content is known whatever key its version was made under: a version
                          -- keyed by content and path (the source's DedupeKey was ContentHashAndPath) is its content's
                          -- version too, so a copy or a touched file is not sent and billed again after the switch.
                          else coalesce(
                              (select e.dedupe_key from orchestrator.file_version e
                               where e.source_name = $1 and e.sha256 = f.sha256
                               order by e.dedupe_key = encode(f.sha256, 'hex') desc, e.relative_path = f.relative_path desc, e.id
                               limit 1),
                              encode(f.sha256, 'hex')) end as dedupe_key
            ), versions as (
                insert into orchestrator.file_version as v (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, pages, pages_basis, pages_estimated)
                -- Identical keys at several paths are one version (the first path by name), and a
                -- statement may touch a conflicting row only once.
                select distinct on (dedupe_key) $1, relative_path, size, mtime_ticks, sha256, dedupe_key, $7, pages, pages_basis, pages_estimated
                from stored
                order by dedupe_key, relative_path
                -- Known content comes back as new when its version was skipped, or when a mirror removed its remote
                -- copy (the file was deleted or changed, and is now restored): the mirror must hold it again, and a
                -- mirror batch parses it afresh, so its output is that content's again. Only while the source is a
                -- mirror: switched to PerRun since, restored content is a copy of its version, as any other, not sent
                -- and billed again.
                on conflict (source_name, dedupe_key) do update
                    set relative_path = excluded.relative_path, size = excluded.size, mtime_ticks = excluded.mtime_ticks,
                        pages = excluded.pages, pages_basis = excluded.pages_basis, pages_estimated = excluded.pages_estimated,
                        state = $8, batch_id = null, unique_id = null, upload_started_at = null,
                        remote_file_id = null, stored_file_id = null, remote_directory_id = null, remote_deleted_at = null, error_message = null, updated_at = now()
                    where (v.state = any($9) and not {SkippedByCancel("v", "$16")}) or (v.remote_deleted_at is not null and $15)
                returning v.id, v.dedupe_key, v.relative_path
            ), found as (
                -- The version of each hashed path's content: written just now, or as it stood before this statement.
                select s.relative_path, coalesce(w.id, e.id) as version_id, coalesce(w.relative_path, e.relative_path) as version_path, w.id is null as known
                from stored s
                left join versions w on w.dedupe_key = s.dedupe_key
                left join orchestrator.file_version e on e.source_name = $1 and e.dedupe_key = s.dedupe_key
            ), matched as (
                -- A path whose content went back to an earlier version of its own (a file restored from a backup) is a
                -- copy of that version too: the output beside it holds a later version's result, which the earlier
                -- one's, older, would never overwrite as a version's own. So is a path back at its latest version
                -- while still the copy of another.
                select f.*, f.relative_path = f.version_path and f.known and (
                    exists (select 1 from orchestrator.file_version n where n.source_name = $1 and n.relative_path = f.relative_path and n.id > f.version_id)
                    or exists (select 1 from orchestrator.file_copy k where k.source_name = $1 and k.relative_path = f.relative_path and k.file_version_id <> f.version_id)) as reverted
                from found f
            ), copies as (
                insert into orchestrator.file_copy as c (source_name, relative_path, file_version_id)
                select $1, relative_path, version_id from matched where relative_path <> version_path or reverted
                on conflict (source_name, relative_path) do update
                    set file_version_id = excluded.file_version_id, found_at = now(), job_id = null, follow_up_state = null,
                        follow_up_attempts = 0, follow_up_error = null, followed_up_at = null, updated_at = now()
                    where c.file_version_id <> excluded.file_version_id
                returning c.file_version_id
            ), uncopied as (
                -- A path that is its version's own again is no copy, not even of that version: one revived here (it was
                -- skipped under another name, whose copy this path was) is sent and delivered here as itself, and a copy
                -- row left beside it would deliver its result to the same path a second time.
                delete from orchestrator.file_copy c
                using matched m
                where c.source_name = $1 and c.relative_path = m.relative_path and m.relative_path = m.version_path
                  and not m.reverted and (c.file_version_id <> m.version_id or not m.known)
            ), due as (
                update orchestrator.batch b set follow_up_next_at = now()
                from orchestrator.file_version v
                join orchestrator.batch_result r on r.file_version_id = v.id and r.batch_id = v.batch_id and r.job_id = v.job_id
                where v.id in (select file_version_id from copies) and v.state = $13 and r.follow_up_state = $14
                  and b.id = v.batch_id and b.follow_up_next_at is null
            )
            select (select count(*) from versions)::int, (select count(*) from matched where relative_path <> version_path)::int
            """);
        command.Parameters.Add(Text(source));
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = files.Select(f => f.Observation.RelativePath).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = files.Select(f => f.Observation.Size).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = files.Select(f => f.Observation.MtimeTicks).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = files.Select(f => f.Sha256).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = key == DedupeKey.ContentHashAndPath });
        command.Parameters.Add(FileVersionLifecycle.Discover.TargetState());
        command.Parameters.Add(FileVersionLifecycle.Rediscover.TargetState());
        command.Parameters.Add(FileVersionLifecycle.Rediscover.FromStates());
        command.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = files.Select(f => f.Pages?.Pages).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = files.Select(f => f.Pages?.Basis).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<bool?[]> { TypedValue = files.Select(f => f.Pages?.Estimated).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Boolean });
        command.Parameters.Add(StateParameters.Name(FollowUpLifecycle.FollowedOutcome));
        command.Parameters.Add(StateParameters.Name(FollowUpState.FollowedUp));
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = layout == RemoteLayout.Mirror });
        command.Parameters.Add(StateParameters.Name(BatchState.Cancelled));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new HashesRecorded(reader.GetInt32(0), reader.GetInt32(1));
    }

    public async Task<int> ReviveFromCopiesAsync(string source, CancellationToken cancellationToken)
    {
        // A skipped version whose content is still at a copy's path (hashed, unchanged since) but no longer at its own:
        // the first such copy by name becomes the version's path, and is a copy no more. Not one an operator's cancel skipped.
        await using var command = dataSource.CreateCommand($"""
            with revived as (
                select distinct on (v.id) v.id, k.id as copy_id, k.relative_path, f.size, f.mtime_ticks
                from orchestrator.file_copy k
                join orchestrator.file_version v on v.id = k.file_version_id
                join orchestrator.source_file f on f.source_name = k.source_name and f.relative_path = k.relative_path
                where k.source_name = $1 and v.state = any($2) and not {SkippedByCancel("v", "$4")} and f.deleted_at is null and f.sha256 = v.sha256
                  and not exists (
                      select 1 from orchestrator.source_file o
                      where o.source_name = v.source_name and o.relative_path = v.relative_path and o.deleted_at is null and o.sha256 = v.sha256)
                order by v.id, k.relative_path
            ), uncopied as (
                delete from orchestrator.file_copy k using revived r where k.id = r.copy_id
            )
            update orchestrator.file_version v
            set relative_path = r.relative_path, size = r.size, mtime_ticks = r.mtime_ticks,
                state = $3, batch_id = null, unique_id = null, upload_started_at = null,
                remote_file_id = null, stored_file_id = null, remote_directory_id = null, remote_deleted_at = null, error_message = null, updated_at = now()
            from revived r
            where v.id = r.id
            """);
        command.Parameters.Add(Text(source));
        command.Parameters.Add(FileVersionLifecycle.Rediscover.FromStates());
        command.Parameters.Add(FileVersionLifecycle.Rediscover.TargetState());
        command.Parameters.Add(StateParameters.Name(BatchState.Cancelled));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Version <paramref name="version"/> ended Skipped by the cancel of a batch that ended cancelled as an operator here asked
    /// (its jobs cancelled, or the batch before it was created): it stays skipped while its content is the same, wherever it
    /// is found. One skipped before the cancel was asked (its file changed before upload) comes back as any other.
    /// </summary>
    private static string SkippedByCancel(string version, string cancelled) =>
        $"""
        exists (select 1 from orchestrator.batch cb where cb.id = {version}.batch_id and {Batches.CancelledHere.Condition("cb", cancelled)}
                and {version}.updated_at >= cb.cancel_requested_at)
        """;

    public async Task ReplaceProblemsAsync(string source, IReadOnlyList<ScanProblem> problems, DateTimeOffset scanTime, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (problems.Count > 0)
        {
            await using (var create = new NpgsqlCommand(
                "create temp table scan_problem (relative_path text collate \"C\" not null, kind text not null, reason text not null) on commit drop",
                connection,
                transaction))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var import = await connection.BeginBinaryImportAsync("copy scan_problem (relative_path, kind, reason) from stdin (format binary)", cancellationToken);
            foreach (var problem in problems)
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(problem.RelativePath, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(problem.Kind.ToString(), NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(problem.Reason, NpgsqlDbType.Text, cancellationToken);
            }

            await import.CompleteAsync(cancellationToken);
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        if (problems.Count > 0)
        {
            // Two invalid names can decode to the same string; one row says it for both.
            batch.BatchCommands.Add(new("""
                insert into orchestrator.source_file_problem as p (source_name, relative_path, kind, reason, first_seen_at, last_seen_at)
                select distinct on (relative_path) $1, relative_path, kind, reason, $2, $2 from scan_problem order by relative_path, kind
                on conflict (source_name, relative_path) do update
                    set kind = excluded.kind, reason = excluded.reason, last_seen_at = excluded.last_seen_at,
                        first_seen_at = case when p.kind = excluded.kind then p.first_seen_at else excluded.first_seen_at end
                """) { Parameters = { Text(source), Timestamp(scanTime) } });
        }

        batch.BatchCommands.Add(new("delete from orchestrator.source_file_problem where source_name = $1 and last_seen_at < $2")
        {
            Parameters = { Text(source), Timestamp(scanTime) },
        });
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
