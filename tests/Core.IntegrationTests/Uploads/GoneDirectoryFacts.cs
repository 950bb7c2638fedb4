namespace BatchOrchestrator.Core.IntegrationTests.Uploads;

/// <summary>
/// A batch's remote directory gone before the batch is submitted (an ephemeral directory expired, an operator
/// deleted it, the in-process Sandbox restarted): the upload step makes a new one and uploads the batch into
/// it, each file once, instead of refusing the batch and failing every file.
/// </summary>
public sealed class GoneDirectoryFacts(PostgresServerFixture server)
{
    private const int Files = 12;

    [Fact]
    public async Task UploadAsync_UploadsEveryFileIntoANewDirectory_WhenTheBatchsDirectoryIsGoneHalfwayThroughItsUploads()
    {
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
        {
            ["LlamaCloud:MaxRetries"] = "0",
            ["LlamaCloud:CircuitBreaker:Enabled"] = "false", // the failures must reach the step, not pause the project
            ["Pipeline:UploadConcurrency"] = "1", // the seeded faults then fall on the same files every time
        });
        h.WriteFiles(Files);
        var batchId = await h.PlanOneBatchAsync(Ct);
        await h.Admin.SetFaultsAsync(new { error_rate = 0.5, error_status_codes = new[] { 500 }, routes = new[] { "/files/upload" } });
        await Assert.ThrowsAsync<LlamaCloudTransientException>(() => h.Get<BatchUploader>().UploadAsync(batchId, Ct));
        await h.Admin.SetFaultsAsync(new { error_rate = 0.0 });
        var sentBefore = await h.Database.ListAsync(
            "select unique_id from orchestrator.file_version where batch_id = $1 and state = 'Uploaded'", r => r.GetString(0), batchId);
        Assert.InRange(sentBefore.Count, 1, Files - 1); // part of the batch is in the directory, and the rest's intent is recorded
        var gone = await h.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", batchId);
        var api = h.Get<IBatchApis>().For(ProjectScope.Default);
        Assert.True(await api.DeleteDirectoryAsync(gone, Ct)); // as an operator, or its expiry, would

        await h.Get<BatchUploader>().UploadAsync(batchId, Ct); // the step's retry

        var (state, directory) = (await h.Database.ListAsync(
            "select state, remote_directory_id from orchestrator.batch where id = $1", r => (r.GetString(0), r.GetString(1)), batchId)).Single();
        Assert.Equal("Creating", state);
        Assert.NotEqual(gone, directory);
        Assert.Contains(batchId, h.Scheduler.BatchIds("submit"));
        var files = await h.Database.ListAsync(
            "select unique_id, state, remote_directory_id, remote_file_id from orchestrator.file_version where batch_id = $1",
            r => (UniqueId: r.GetString(0), State: r.GetString(1), Directory: r.GetString(2), RemoteFileId: r.GetString(3)), batchId);
        Assert.Equal(Files, files.Count);
        Assert.All(files, f => Assert.Equal(("Uploaded", directory), (f.State, f.Directory)));
        foreach (var file in files)
        {
            Assert.Equal(file.RemoteFileId, (await api.FindFileByUniqueIdAsync(directory, file.UniqueId, Ct))?.Id);
        }

        // Once into the gone directory for those sent before it went, and once into the new one for every file.
        var uploads = (await h.Admin.CountersAsync()).UploadsByUniqueId;
        Assert.All(files, f => Assert.Equal(sentBefore.Contains(f.UniqueId) ? 2 : 1, uploads[f.UniqueId]));
        Assert.Single(h.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains($"Directory {gone} of batch {batchId} is gone", StringComparison.Ordinal));

        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await h.RecordAllAsync([batchId], Ct);
        Assert.Equal(1, (await h.Admin.CountersAsync()).BatchCreatesByDirectory[directory]);
        Assert.Equal(
            [("Succeeded", (long)Files)],
            await h.Database.ListAsync("select state, count(*) from orchestrator.file_version group by state", r => (r.GetString(0), r.GetInt64(1))));
    }

    [Fact]
    public async Task UploadAsync_RebuildsTheMirrorInANewDirectory_WhenTheMirrorsDirectoryIsGone()
    {
        await using var h = await PipelineHarness.CreateAsync(server);
        h.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0].Layout = RemoteLayout.Mirror;
        h.WriteFiles(3);
        var first = await h.RunToRecordedAsync(Ct);
        var gone = await h.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", first.Single());
        var api = h.Get<IBatchApis>().For(ProjectScope.Default);
        Assert.True(await api.DeleteDirectoryAsync(gone, Ct));
        h.WriteFile("added.txt", "new file");

        var second = await h.RunToRecordedAsync(Ct); // planned over the mirror's directory, which is gone

        var directory = await h.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", second.Single());
        Assert.NotEqual(gone, directory);
        Assert.Equal("user", (await api.GetDirectoryAsync(directory, Ct)).Type); // a mirror's directory does not expire
        Assert.Equal(
            [("Succeeded", 4L)],
            await h.Database.ListAsync(
                "select state, count(*) from orchestrator.file_version where batch_id = $1 and remote_directory_id = $2 group by state",
                r => (r.GetString(0), r.GetInt64(1)), second.Single(), directory));
        Assert.Equal(0L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Failed'"));

        // The next run with a change finds the mirror in its new directory: only the new file is sent.
        var uploads = (await h.Admin.CountersAsync()).UploadsTotal;
        h.WriteFile("later.txt", "another new file");
        var third = await h.RunToRecordedAsync(Ct);
        Assert.Equal(directory, await h.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", third.Single()));
        Assert.Equal(uploads + 1, (await h.Admin.CountersAsync()).UploadsTotal);
    }
}
