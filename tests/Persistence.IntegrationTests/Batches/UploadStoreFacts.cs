using BatchOrchestrator.Core.Leases;
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

    private Task<long> PlannedBatchAsync(int files) => Seed.PlannedBatchAsync(Database, "docs", files, Ct);
}
