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
        foreach (var file in (await Store.GetWorkAsync(batchId, Ct))!.Files)
        {
            await Store.MarkNotUploadedAsync(file.FileVersionId, FileVersionState.Skipped, null, "changed", Ct);
        }

        var state = await Store.FinishUploadsAsync(batchId, Ct);

        Assert.Equal(BatchState.ResultsRecorded, state);
        Assert.Equal("Completed", await Database.ScalarAsync<string>("select r.state from orchestrator.run r join orchestrator.batch b on b.run_id = r.id where b.id = $1", batchId));
        Assert.Equal(2L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Skipped'"));
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
        await Store.SetRemoteDirectoryAsync(batchId, "dir-gone", Ct);
        await Store.MarkUploadIntentAsync(batchId, files[^1].FileVersionId, Ct);
        await Store.MarkUploadedAsync([new UploadedFile(files[0].FileVersionId, "dfl-0", "file-0")], Ct);
        await Store.MarkNotUploadedAsync(files[1].FileVersionId, FileVersionState.Skipped, null, "changed", Ct);

        Assert.Equal(0, await Store.ForgetRemoteDirectoryAsync(batchId, "dir-other", Ct)); // it names another directory: nothing changes
        Assert.Equal(1, await Store.ForgetRemoteDirectoryAsync(batchId, "dir-gone", Ct));

        var work = (await Store.GetWorkAsync(batchId, Ct))!;
        Assert.Null(work.RemoteDirectoryId);
        Assert.Equal(
            [(FileVersionState.Discovered, false, null), (FileVersionState.Skipped, false, null), (FileVersionState.Discovered, false, null)],
            work.Files.Select(f => (f.State, f.UploadStarted, f.RemoteFileId)));
        Assert.Equal(0L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where stored_file_id is not null or remote_directory_id is not null"));
    }

    private Task<long> PlannedBatchAsync(int files) => Seed.PlannedBatchAsync(Database, "docs", files, Ct);
}
