using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Core.Uploads;
using BatchOrchestrator.Persistence.Batches;
using BatchOrchestrator.Persistence.Leases;
using BatchOrchestrator.Persistence.Planning;

namespace BatchOrchestrator.Persistence.Uploads;

/// <summary>Upload progress, recorded per file so a crash loses at most the file in flight.</summary>
internal sealed partial class NpgsqlUploadStore(NpgsqlDataSource dataSource) : IUploadStore
{
    public async Task<UploadWork?> GetWorkAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new("""
            select source_name, state, directory_name, remote_directory_id, cancel_requested_at is not null, layout, project_id, organization_id
            from orchestrator.batch where id = $1
            """) { Parameters = { Id(batchId) } });
        batch.BatchCommands.Add(new("""
            select v.id, v.relative_path, v.size, v.mtime_ticks, v.unique_id, v.state,
                   v.upload_started_at is not null or v.id <= coalesce(b.upload_intent_through, 0), v.remote_file_id, v.process_attempts
            from orchestrator.file_version v join orchestrator.batch b on b.id = v.batch_id
            where v.batch_id = $1 order by v.id
            """) { Parameters = { Id(batchId) } });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var (source, state, directoryName, remoteDirectoryId, cancelRequested) =
            (reader.GetString(0), Enum.Parse<BatchState>(reader.GetString(1)), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetBoolean(4));
        var layout = Enum.Parse<RemoteLayout>(reader.GetString(5));
        var scope = ScopeColumns.Read(reader, 6);
        await reader.NextResultAsync(cancellationToken);
        var files = new List<UploadItem>();
        while (await reader.ReadAsync(cancellationToken))
        {
            files.Add(new UploadItem(
                reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetString(4),
                Enum.Parse<FileVersionState>(reader.GetString(5)), reader.GetBoolean(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetInt32(8)));
        }

        return new UploadWork(batchId, source, state, directoryName, remoteDirectoryId, files, cancelRequested) { Layout = layout, Scope = scope };
    }

    public async Task<long?> NextPlannedAsync(string source, long after, IReadOnlyCollection<long> except, CancellationToken cancellationToken)
    {
        // Not one whose lease is held: another instance is at work on it (a lower batch's retry, say), and a
        // hand-on to it would be refused there and lost, with nobody left to hand on the batches after it.
        await using var command = dataSource.CreateCommand("""
            select b.id from orchestrator.batch b
            where b.source_name = $1 and b.state = any($2) and b.id > $4 and b.id <> all($3)
              and not exists (select 1 from orchestrator.lease l where l.name = $5 || b.id and l.expires_at > now())
            order by b.id limit 1
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(BatchLifecycle.FinishUploads.FromStates());
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. except] });
        command.Parameters.Add(Id(after));
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = BatchLease.Prefix });
        return await command.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
    }

    public Task SetRemoteDirectoryAsync(long batchId, string directoryId, Lease fence, CancellationToken cancellationToken) =>
        LeaseFence.ExecuteAsync(
            dataSource,
            fence,
            "update orchestrator.batch set remote_directory_id = $2, updated_at = now() where id = $1",
            cancellationToken,
            Id(batchId),
            new NpgsqlParameter<string> { TypedValue = directoryId });

    public async Task<int> ForgetRemoteDirectoryAsync(long batchId, string directoryId, Lease fence, CancellationToken cancellationToken)
    {
        // One statement: a crash leaves the directory either named with every copy in it, or forgotten with all of them.
        // A mirror's copies from before this batch went with the directory too: those its planning reserved join the batch
        // here, to be uploaded again into the new directory (they join it at the end of the uploads otherwise).
        await using var batch = LeaseFence.CreateBatch(dataSource, fence);
        var command = new NpgsqlBatchCommand($"""
            with b as (
                update orchestrator.batch set remote_directory_id = null, upload_intent_through = null, updated_at = now()
                where id = $1 and remote_directory_id = $2 and state = any($3)
                returning id, run_id, layout),
            started as (
                update orchestrator.file_version v set upload_started_at = null, updated_at = now()
                from b where v.batch_id = b.id and v.state <> all($4) and v.upload_started_at is not null),
            forgotten as (
                update orchestrator.file_version v
                set state = $5, remote_file_id = null, stored_file_id = null, remote_directory_id = null, upload_started_at = null, updated_at = now()
                from b where v.batch_id = b.id and v.state = any($4)
                returning v.id),
            kept as (
                update orchestrator.file_version v
                set batch_id = b.id, run_id = b.run_id, state = $5, error_message = null,
                    remote_file_id = null, stored_file_id = null, remote_directory_id = null, upload_started_at = null, updated_at = now()
                from b
                where b.layout = $6 and {ReservedCopies.Of("b.id")}
                  and v.remote_directory_id = $2 and v.remote_file_id is not null and v.remote_deleted_at is null
                returning v.id)
            select (select count(*)::int from forgotten) + (select count(*)::int from kept)
            """);
        command.Parameters.Add(Id(batchId));
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = directoryId });
        command.Parameters.Add(BatchLifecycle.FinishUploads.FromStates());
        command.Parameters.Add(FileVersionLifecycle.Reupload.FromStates());
        command.Parameters.Add(FileVersionLifecycle.Reupload.TargetState());
        command.Parameters.Add(StateParameters.Name(RemoteLayout.Mirror));
        batch.BatchCommands.Add(command);
        return (int)(await LeaseFence.RunAsync(fence, () => batch.ExecuteScalarAsync(cancellationToken)))!;
    }

    public Task MarkUploadStartedAsync(long fileVersionId, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "update orchestrator.file_version set upload_started_at = now(), attempts = attempts + 1, updated_at = now() where id = $1",
            cancellationToken,
            Id(fileVersionId));

    public Task MarkUploadedAsync(long fileVersionId, string remoteFileId, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            with f as (
                update orchestrator.file_version v set state = $3, remote_file_id = $2, updated_at = now(),
                    remote_directory_id = (select remote_directory_id from orchestrator.batch b where b.id = v.batch_id)
                where id = $1 and state = any($4)
                returning batch_id)
            update orchestrator.batch set updated_at = now() where id = (select batch_id from f)
            """,
            cancellationToken,
            Id(fileVersionId),
            new NpgsqlParameter<string> { TypedValue = remoteFileId },
            FileVersionLifecycle.Upload.TargetState(),
            FileVersionLifecycle.Upload.FromStates());

    public Task MarkUploadIntentAsync(long batchId, long throughFileVersionId, Lease fence, CancellationToken cancellationToken) =>
        LeaseFence.ExecuteAsync(
            dataSource,
            fence,
            "update orchestrator.batch set upload_intent_through = greatest(upload_intent_through, $2), updated_at = now() where id = $1",
            cancellationToken,
            Id(batchId),
            Id(throughFileVersionId));

    public Task MarkUploadedAsync(IReadOnlyList<UploadedFile> files, Lease fence, CancellationToken cancellationToken) =>
        LeaseFence.ExecuteAsync(
            dataSource,
            fence,
            """
            with f as (
                update orchestrator.file_version v set state = $3, remote_file_id = u.remote_file_id, stored_file_id = u.stored_file_id, updated_at = now(),
                    remote_directory_id = (select remote_directory_id from orchestrator.batch b where b.id = v.batch_id)
                from unnest($1::bigint[], $2::text[], $5::text[]) as u(id, remote_file_id, stored_file_id)
                where v.id = u.id and v.state = any($4)
                returning v.batch_id)
            update orchestrator.batch set updated_at = now() where id in (select batch_id from f)
            """,
            cancellationToken,
            new NpgsqlParameter<long[]> { TypedValue = [.. files.Select(f => f.FileVersionId)] },
            new NpgsqlParameter<string[]> { TypedValue = [.. files.Select(f => f.RemoteFileId)] },
            FileVersionLifecycle.Upload.TargetState(),
            FileVersionLifecycle.Upload.FromStates(),
            new NpgsqlParameter<string?[]> { TypedValue = [.. files.Select(f => f.StoredFileId)] });

    public Task MarkNotUploadedAsync(long fileVersionId, FileVersionState outcome, FailureClass? errorClass, string reason, Lease fence, CancellationToken cancellationToken) =>
        LeaseFence.ExecuteAsync(
            dataSource,
            fence,
            // A version ended in a state the scan rediscovers from (Skipped: its file changed or vanished) voids its path's
            // stored look (no file has an mtime of -1), so the next scan takes the path as changed, lets it settle and
            // hashes it. A file moved away and back, or on a share that dropped during the upload, returns with the size
            // and mtime the scan stored: unchanged to the scan, it would never be hashed again, and its version would stay
            // Skipped with its content in place (docs/sources.md: "their new version is taken by the next scan"). The
            // hash is kept: until that scan, the mirror and the copies judge the path as they did. A look with no hash is voided
            // too: a scan may be recording it as this very content while this statement waits for the version that scan holds,
            // and this statement's snapshot, taken before, would not find the row it writes; found, the row is read again once
            // the scan commits. Voiding a look still settling only starts its window again.
            // Its reservation is released at once (docs/costs.md, "Settling"): no copy of it is in the directory, so the
            // batch bills nothing for it, and kept until the batch ends it would hold back the caps' room for hours.
            // An operator's approval outlives it, as a batch given up before LlamaCloud: sent again, it passes the caps as approved.
            """
            with v as (
                update orchestrator.file_version
                set state = $2, error_message = $3, error_class = $5, updated_at = now(),
                    process_attempts = process_attempts + case when $5::text is null then 0 else 1 end,
                    cap_approved_at = case when exists (
                        select 1 from orchestrator.credit_charge c
                        where c.file_version_id = orchestrator.file_version.id and c.batch_id = orchestrator.file_version.batch_id and c.approved)
                        then now() else cap_approved_at end
                where id = $1 and state = any($4)
                returning id, batch_id, source_name, relative_path, sha256),
            released as (
                update orchestrator.credit_charge c set billed_credits = 0, billed_pages = 0, settled_at = now()
                from v where c.file_version_id = v.id and c.batch_id = v.batch_id and c.billed_credits is null)
            update orchestrator.source_file f set mtime_ticks = -1 -- StoredLook.VoidedMtime
            from v
            where $2 = any($6) and f.source_name = v.source_name and f.relative_path = v.relative_path and (f.sha256 = v.sha256 or f.sha256 is null)
            """,
            cancellationToken,
            Id(fileVersionId),
            StateParameters.Name(outcome),
            new NpgsqlParameter<string> { TypedValue = reason },
            FileVersionLifecycle.NotUploaded.FromStates(),
            new NpgsqlParameter<string?> { TypedValue = errorClass?.ToString(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
            FileVersionLifecycle.Rediscover.FromStates());

    public async Task<IReadOnlyList<MirrorRemoval>> GetMirrorRemovalsAsync(long batchId, string directoryId, CancellationToken cancellationToken)
    {
        // In the mirror but not in this batch: its path is gone, or holds other content now (a file
        // being rewritten, not hashed yet, keeps its old copy until the new one is uploaded). Not when this batch
        // carries a newer version of the path: its planning counted the old copy as stale and reserved nothing for it,
        // so a rewrite begun since must not keep it, to be parsed and billed past the caps with a result naming no file.
        // Nor a copy the planning reserved for this batch, which joins it at the end of its uploads: it was the folder's
        // content then (a file edited, then put back as it was, has its newer version skipped here and its copy kept).
        await using var command = dataSource.CreateCommand($"""
            select v.id, v.remote_file_id, v.stored_file_id
            from orchestrator.file_version v
            join orchestrator.batch b on b.id = $1
            where v.source_name = b.source_name and v.remote_directory_id = $2
              and v.remote_file_id is not null and v.remote_deleted_at is null
              and v.batch_id is distinct from $1 and not {ReservedCopies.Of("$1")}
              and (not exists (
                      select 1 from orchestrator.source_file f
                      where f.source_name = v.source_name and f.relative_path = v.relative_path and f.deleted_at is null
                        and (f.sha256 = v.sha256 or {MirroredLooks.Settling("$3")}))
                   or exists (
                      select 1 from orchestrator.file_version n
                      where n.batch_id = $1 and n.source_name = v.source_name and n.relative_path = v.relative_path and n.id > v.id))
            """);
        command.Parameters.Add(Id(batchId));
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = directoryId });
        command.Parameters.Add(MirroredLooks.FolderKinds());
        var removals = new List<MirrorRemoval>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            removals.Add(new MirrorRemoval(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return removals;
    }

    public Task MarkRemoteDeletedAsync(long fileVersionId, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "update orchestrator.file_version set remote_deleted_at = now(), updated_at = now() where id = $1 and remote_deleted_at is null",
            cancellationToken,
            Id(fileVersionId));

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
