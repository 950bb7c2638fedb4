using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Core.Uploads;

namespace BatchOrchestrator.Persistence.IntegrationTests.Batches;

public sealed class UploadStoreFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private NpgsqlUploadStore Store => new(Database.DataSource);

    [Fact]
    public async Task GetWorkAsync_RemembersThatAnUploadWasStarted_SoARerunLooksBeforeSendingAgain()
    {
        var batchId = await PlannedBatchAsync(2);
        var first = (await Store.GetWorkAsync(batchId, Ct))!.Files[0];

        await Store.MarkUploadStartedAsync(first.FileVersionId, Ct);
        var work = await Store.GetWorkAsync(batchId, Ct);

        Assert.Equal(BatchState.Planned, work!.State);
        Assert.True(work.Files[0].UploadStarted);
        Assert.False(work.Files[1].UploadStarted);
        Assert.All(work.Files, f => Assert.StartsWith($"fv-{f.FileVersionId}-", f.UniqueId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FinishUploadsAsync_EndsABatchWithNothingUploaded_AndClosesItsRun()
    {
        var batchId = await PlannedBatchAsync(2);
        var fence = await Seed.BatchLeaseAsync(Database, batchId, Ct);
        foreach (var file in (await Store.GetWorkAsync(batchId, Ct))!.Files)
        {
            await Store.MarkNotUploadedAsync(file.FileVersionId, FileVersionState.Skipped, null, "changed", fence, Ct);
        }

        var state = await Store.FinishUploadsAsync(batchId, fence, Ct);

        Assert.Equal(BatchState.ResultsRecorded, state);
        Assert.Equal("Completed", await Database.ScalarAsync<string>("select r.state from orchestrator.run r join orchestrator.batch b on b.run_id = r.id where b.id = $1", batchId));
        Assert.Equal(2L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Skipped'"));
    }

    [Fact]
    public async Task FencedWrites_OfAHolderWhoseLeaseWasTakenOver_AreRefusedWhole_WhileTheNewHoldersGoThrough()
    {
        var batchId = await PlannedBatchAsync(2);
        var files = (await Store.GetWorkAsync(batchId, Ct))!.Files;
        var stale = await Seed.BatchLeaseAsync(Database, batchId, Ct);
        var holder = await Seed.BatchLeaseAsync(Database, batchId, Ct); // its lease expired, and another step took it over

        var refused = await Assert.ThrowsAsync<LeaseLostException>(
            () => Store.MarkUploadedAsync([new UploadedFile(files[0].FileVersionId, "dfl-0"), new UploadedFile(files[1].FileVersionId, "dfl-1")], stale, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.MarkUploadIntentAsync(batchId, files[^1].FileVersionId, stale, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.MarkNotUploadedAsync(files[0].FileVersionId, FileVersionState.Skipped, null, "changed", stale, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.FinishUploadsAsync(batchId, stale, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.HoldLeaseAsync(stale, Ct)); // the check before a take-back
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.SetRemoteDirectoryAsync(batchId, "dir-stale", stale, Ct));

        Assert.Equal(stale, refused.Lease);
        var untouched = (await Store.GetWorkAsync(batchId, Ct))!;
        Assert.Equal((BatchState.Planned, null), (untouched.State, untouched.RemoteDirectoryId));
        Assert.All(untouched.Files, f => Assert.Equal((FileVersionState.Discovered, false, null), (f.State, f.UploadStarted, f.RemoteFileId)));

        await Store.HoldLeaseAsync(holder, Ct);
        await Store.SetRemoteDirectoryAsync(batchId, "dir-1", holder, Ct);
        await Store.MarkUploadIntentAsync(batchId, files[^1].FileVersionId, holder, Ct);
        await Store.MarkUploadedAsync([new UploadedFile(files[0].FileVersionId, "dfl-0"), new UploadedFile(files[1].FileVersionId, "dfl-1")], holder, Ct);
        Assert.Equal(BatchState.Creating, await Store.FinishUploadsAsync(batchId, holder, Ct));
    }

    [Fact]
    public async Task MarkUploadedAsync_RecordsTheRemoteFileOnlyOnce()
    {
        var batchId = await PlannedBatchAsync(1);
        var file = (await Store.GetWorkAsync(batchId, Ct))!.Files[0];

        await Store.MarkUploadedAsync(file.FileVersionId, "dfl-first", Ct);
        await Store.MarkUploadedAsync(file.FileVersionId, "dfl-second", Ct);

        var after = (await Store.GetWorkAsync(batchId, Ct))!.Files[0];
        Assert.Equal((FileVersionState.Uploaded, "dfl-first"), (after.State, after.RemoteFileId));
    }

    [Fact]
    public async Task ForgetRemoteDirectoryAsync_PutsTheBatchsUploadsBackInItsQueue_AndForgetsTheirIntent_OnlyWhileTheBatchNamesThatDirectory()
    {
        var batchId = await PlannedBatchAsync(3);
        var files = (await Store.GetWorkAsync(batchId, Ct))!.Files;
        var fence = await Seed.BatchLeaseAsync(Database, batchId, Ct);
        await Store.SetRemoteDirectoryAsync(batchId, "dir-gone", fence, Ct);
        await Store.MarkUploadIntentAsync(batchId, files[^1].FileVersionId, fence, Ct);
        await Store.MarkUploadedAsync([new UploadedFile(files[0].FileVersionId, "dfl-0", "file-0")], fence, Ct);
        await Store.MarkNotUploadedAsync(files[1].FileVersionId, FileVersionState.Skipped, null, "changed", fence, Ct);

        Assert.Equal(0, await Store.ForgetRemoteDirectoryAsync(batchId, "dir-other", fence, Ct)); // it names another directory: nothing changes
        var holder = await Seed.BatchLeaseAsync(Database, batchId, Ct); // the lease taken over: the stale holder forgets none of the new holder's uploads
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.ForgetRemoteDirectoryAsync(batchId, "dir-gone", fence, Ct));
        Assert.Equal("dir-gone", (await Store.GetWorkAsync(batchId, Ct))!.RemoteDirectoryId);
        Assert.Equal(1, await Store.ForgetRemoteDirectoryAsync(batchId, "dir-gone", holder, Ct));

        var work = (await Store.GetWorkAsync(batchId, Ct))!;
        Assert.Null(work.RemoteDirectoryId);
        Assert.Equal(
            [(FileVersionState.Discovered, false, null), (FileVersionState.Skipped, false, null), (FileVersionState.Discovered, false, null)],
            work.Files.Select(f => (f.State, f.UploadStarted, f.RemoteFileId)));
        Assert.Equal(0L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where stored_file_id is not null or remote_directory_id is not null"));
    }

    [Fact]
    public async Task MarkNotUploadedAsync_VoidsItsPathsLook_AlsoWhenAScanHashesThatLookWhileTheSkipWaitsForIt()
    {
        // The file was saved again with the same content (a new mtime, not hashed yet) when the upload step skipped its version.
        // A scan is recording the look's hash, the version's content, and holds the version meanwhile. Left as the scan wrote it,
        // the look is current and hashed: no scan takes the path again, and the content stays unprocessed, the version Skipped.
        var batchId = await PlannedBatchAsync(1);
        var file = (await Store.GetWorkAsync(batchId, Ct))!.Files[0];
        var fence = await Seed.BatchLeaseAsync(Database, batchId, Ct);
        await Database.ExecuteAsync(
            "insert into orchestrator.source_file (source_name, relative_path, size, mtime_ticks, first_seen_at) values ('docs', $1, 1, 2000, now())", file.RelativePath);
        await using var scan = await Database.DataSource.OpenConnectionAsync(Ct);
        await using var hashing = await scan.BeginTransactionAsync(Ct);
        foreach (var sql in new[]
        {
            "update orchestrator.source_file f set sha256 = v.sha256 from orchestrator.file_version v where v.id = $1 and f.relative_path = v.relative_path",
            "select 1 from orchestrator.file_version where id = $1 for update",
        })
        {
            await using var command = new NpgsqlCommand(sql, scan, hashing) { Parameters = { new NpgsqlParameter<long> { TypedValue = file.FileVersionId } } };
            await command.ExecuteNonQueryAsync(Ct);
        }

        var skip = Store.MarkNotUploadedAsync(file.FileVersionId, FileVersionState.Skipped, null, "changed", fence, Ct);
        await WaitUntilABackendWaitsOnALockAsync();
        await hashing.CommitAsync(Ct);
        await skip;

        Assert.Equal(-1L, await Database.ScalarAsync<long>("select mtime_ticks from orchestrator.source_file where relative_path = $1", file.RelativePath));
    }

    [Fact]
    public async Task MarkNotUploadedAsync_KeepsAnOperatorsApproval_OfAFileThatNeverReachedLlamaCloud()
    {
        var batchId = await PlannedBatchAsync(2);
        var fence = await Seed.BatchLeaseAsync(Database, batchId, Ct);
        var files = (await Store.GetWorkAsync(batchId, Ct))!.Files;
        // The first file's reservation was made by an operator's approval past the caps (its planning cleared the mark).
        await Database.ExecuteAsync("update orchestrator.credit_charge set approved = file_version_id = $1 where batch_id = $2", files[0].FileVersionId, batchId);
        Assert.Equal(2L, await Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge where batch_id = $1", batchId));

        foreach (var file in files)
        {
            await Store.MarkNotUploadedAsync(file.FileVersionId, FileVersionState.Failed, FailureClass.Transient, "read error while sending it", fence, Ct);
        }

        Assert.Equal(
            [(files[0].FileVersionId, true), (files[1].FileVersionId, false)],
            await Database.ListAsync("select id, cap_approved_at is not null from orchestrator.file_version order by id", r => (r.GetInt64(0), r.GetBoolean(1))));
    }

    private Task<long> PlannedBatchAsync(int files) => Seed.PlannedBatchAsync(Database, "docs", files, Ct);
}
