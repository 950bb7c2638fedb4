namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// Each step of the pipeline as a use case, driven by hand over a real database and the Sandbox,
/// including the crash points where an effect happened remotely but was not yet recorded.
/// </summary>
public sealed class PipelineStepsFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server, new Dictionary<string, string?> { ["Pipeline:MaxFilesPerBatch"] = "4" });

    [Fact]
    public async Task TheStepsInOrder_GiveEveryFileItsJobReference()
    {
        Harness.WriteFiles(10);

        var batches = await Harness.PlanAsync(Ct);
        foreach (var batchId in batches)
        {
            await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
            await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        }

        await Eventually.WaitAsync(
            async () =>
            {
                await Harness.Get<PollTick>().RunAsync(Ct);
                return Harness.Scheduler.BatchIds("record").Distinct().Count();
            },
            n => n == batches.Count,
            TimeSpan.FromSeconds(20),
            "every batch to reach a terminal status");
        foreach (var batchId in batches)
        {
            await Harness.Get<BatchResultRecorder>().RecordAsync(batchId, Ct);
        }

        Assert.Equal(3, batches.Count); // 10 files, at most 4 per batch
        Assert.Equal(10L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id like 'pjb-%' and remote_file_id like 'dfl-%'"));
        Assert.Equal("Completed", await Harness.Database.ScalarAsync<string>("select state from orchestrator.run where batch_count = 3"));
        var counters = await Harness.Admin.CountersAsync();
        Assert.Equal((10, 3), (counters.UploadsTotal, counters.BatchCreatesTotal));
    }

    [Fact]
    public async Task UploadAsync_RecordsInsteadOfUploadingAgain_WhenAnEarlierAttemptUploadedButDiedBeforeRecording()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        var uploader = Harness.Get<BatchUploader>();
        var store = Harness.Get<IUploadStore>();
        var api = Harness.Get<IBatchApis>().For(ProjectScope.Default);

        // The crashed attempt: intent recorded, directory made, file sent, outcome never recorded.
        var work = (await store.GetWorkAsync(batchId, Ct))!;
        var directory = await api.CreateDirectoryAsync(work.DirectoryName, Ct);
        var crashed = work.Files[0];
        await store.MarkUploadStartedAsync(crashed.FileVersionId, Ct);
        await using (var content = File.OpenRead(Path.Combine(Harness.SourcePath, crashed.RelativePath)))
        {
            await api.UploadFileAsync(directory.Id, new FileUpload(content, "x.txt", crashed.UniqueId, crashed.RelativePath), Ct);
        }

        await uploader.UploadAsync(batchId, Ct);

        var counters = await Harness.Admin.CountersAsync();
        Assert.Equal(1, counters.UploadsByUniqueId[crashed.UniqueId]);
        Assert.Equal(2, counters.UploadsTotal);
        Assert.Equal(1, counters.DirectoryCreatesTotal); // the directory was found by name, not made again
        Assert.Equal(BatchState.Creating, (await Harness.Get<IBatchStore>().GetAsync(batchId, Ct))!.State);
    }

    [Fact]
    public async Task UploadAsync_SkipsAFileThatChangedAfterTheScan_AndNeverUploadsIt()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        File.AppendAllText(Path.Combine(Harness.SourcePath, "doc0001.txt"), " and more");

        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);

        Assert.Equal(1, (await Harness.Admin.CountersAsync()).UploadsTotal);
        Assert.Equal("Skipped", await Harness.Database.ScalarAsync<string>("select state from orchestrator.file_version where relative_path = 'doc0001.txt'"));
    }

    [Fact]
    public async Task SubmitAsync_AdoptsTheRemoteBatch_WhenAnEarlierAttemptCreatedItButDiedBeforeRecording()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        var batch = (await Harness.Get<IBatchStore>().GetAsync(batchId, Ct))!;
        var api = Harness.Get<IBatchApis>().For(ProjectScope.Default);
        var created = await api.CreateBatchAsync(
            new CreateBatchRequest(batch.RemoteDirectoryId!, new RemoteBatchConfig(new RemoteBatchJob(batch.JobType, batch.ConfigurationId))), Ct);

        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        Assert.Equal(created.Id, (await Harness.Get<IBatchStore>().GetAsync(batchId, Ct))!.RemoteBatchId);
        Assert.Equal(1, (await Harness.Admin.CountersAsync()).BatchCreatesTotal);
    }

    [Fact]
    public async Task RunAsync_DoesNotOverlapARunInProgress_ButRunsAgainRightAfterIt()
    {
        Harness.WriteFiles(1);
        var leases = Harness.Get<Leases.LeaseManager>();
        var runner = Harness.Get<SourceRunner>();

        await using (await leases.TryHoldAsync($"source:{PipelineHarness.SourceName}", Ct))
        {
            await runner.RunAsync(PipelineHarness.SourceName, RunTrigger.Watch, Ct);
            Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.run"));
        }

        await runner.RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);

        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.run"));
        Assert.Contains(("run", $"{PipelineHarness.SourceName}:{RunTrigger.Rerun}"), Harness.Scheduler.Calls);
    }

    [Fact]
    public async Task UploadAndSubmit_LookAgainLater_WhileTheBatchLeaseIsHeld_AndCarryOnOnceItIsFree()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        var leases = Harness.Get<Leases.LeaseManager>();
        var id = batchId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // A holder that is gone without releasing (a database outage) looks the same as one at work:
        // the step must come back for the batch, or it would wait for the stalled sweep.
        await using (await leases.TryHoldAsync(Leases.BatchLease.Name(batchId), Ct))
        {
            await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
            Assert.Contains(("scheduled-upload", id), Harness.Scheduler.Calls);
            Assert.Equal(0, (await Harness.Admin.CountersAsync()).UploadsTotal);
        }

        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        // The submit step is handed on after the upload step released the lease, so it finds the batch free.
        Assert.Contains(("submit", id), Harness.Scheduler.Calls);
        await using (await leases.TryHoldAsync(Leases.BatchLease.Name(batchId), Ct))
        {
            await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
            Assert.Contains(("scheduled-submit", id), Harness.Scheduler.Calls);
        }

        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        var counters = await Harness.Admin.CountersAsync();
        Assert.Equal((2, 1), (counters.UploadsTotal, counters.BatchCreatesTotal));
    }

}
