using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Ticks;
using BatchOrchestrator.Core.Uploads;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// Each step of the pipeline as a use case, driven by hand over a real database and the Sandbox,
/// including the crash points where an effect happened remotely but was not yet recorded.
/// </summary>
public sealed class PipelineStepsFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private PipelineHarness harness = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => harness = await PipelineHarness.CreateAsync(
        server, new Dictionary<string, string?> { ["Pipeline:MaxFilesPerBatch"] = "4" });

    public ValueTask DisposeAsync() => harness.DisposeAsync();

    [Fact]
    public async Task TheStepsInOrder_GiveEveryFileItsJobReference()
    {
        harness.WriteFiles(10);

        await harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        var batches = harness.Scheduler.BatchIds("upload").ToList();
        foreach (var batchId in batches)
        {
            await harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
            await harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        }

        await Eventually.WaitAsync(
            async () =>
            {
                await harness.Get<PollTick>().RunAsync(Ct);
                return harness.Scheduler.BatchIds("record").Distinct().Count();
            },
            n => n == batches.Count,
            TimeSpan.FromSeconds(20),
            "every batch to reach a terminal status");
        foreach (var batchId in batches)
        {
            await harness.Get<BatchResultRecorder>().RecordAsync(batchId, Ct);
        }

        Assert.Equal(3, batches.Count); // 10 files, at most 4 per batch
        Assert.Equal(10L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id like 'pjb-%' and remote_file_id like 'dfl-%'"));
        Assert.Equal("Completed", await harness.Database.ScalarAsync<string>("select state from orchestrator.run where batch_count = 3"));
        var counters = await harness.Admin.CountersAsync();
        Assert.Equal((10, 3), (counters.UploadsTotal, counters.BatchCreatesTotal));
    }

    [Fact]
    public async Task UploadAsync_RecordsInsteadOfUploadingAgain_WhenAnEarlierAttemptUploadedButDiedBeforeRecording()
    {
        harness.WriteFiles(2);
        var batchId = await PlanOneBatchAsync();
        var uploader = harness.Get<BatchUploader>();
        var store = harness.Get<IUploadStore>();
        var api = harness.Get<IBatchApis>().For(ProjectScope.Default);

        // The crashed attempt: intent recorded, directory made, file sent, outcome never recorded.
        var work = (await store.GetWorkAsync(batchId, Ct))!;
        var directory = await api.CreateDirectoryAsync(work.DirectoryName, Ct);
        var crashed = work.Files[0];
        await store.MarkUploadStartedAsync(crashed.FileVersionId, Ct);
        await using (var content = File.OpenRead(Path.Combine(harness.SourcePath, crashed.RelativePath)))
        {
            await api.UploadFileAsync(directory.Id, new FileUpload(content, "x.txt", crashed.UniqueId, crashed.RelativePath), Ct);
        }

        await uploader.UploadAsync(batchId, Ct);

        var counters = await harness.Admin.CountersAsync();
        Assert.Equal(1, counters.UploadsByUniqueId[crashed.UniqueId]);
        Assert.Equal(2, counters.UploadsTotal);
        Assert.Equal(1, counters.DirectoryCreatesTotal); // the directory was found by name, not made again
        Assert.Equal(BatchState.Creating, (await harness.Get<IBatchStore>().GetAsync(batchId, Ct))!.State);
    }

    [Fact]
    public async Task UploadAsync_SkipsAFileThatChangedAfterTheScan_AndNeverUploadsIt()
    {
        harness.WriteFiles(2);
        var batchId = await PlanOneBatchAsync();
        File.AppendAllText(Path.Combine(harness.SourcePath, "doc0001.txt"), " and more");

        await harness.Get<BatchUploader>().UploadAsync(batchId, Ct);

        Assert.Equal(1, (await harness.Admin.CountersAsync()).UploadsTotal);
        Assert.Equal("Skipped", await harness.Database.ScalarAsync<string>("select state from orchestrator.file_version where relative_path = 'doc0001.txt'"));
    }

    [Fact]
    public async Task SubmitAsync_AdoptsTheRemoteBatch_WhenAnEarlierAttemptCreatedItButDiedBeforeRecording()
    {
        harness.WriteFiles(2);
        var batchId = await PlanOneBatchAsync();
        await harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        var batch = (await harness.Get<IBatchStore>().GetAsync(batchId, Ct))!;
        var api = harness.Get<IBatchApis>().For(ProjectScope.Default);
        var created = await api.CreateBatchAsync(
            new CreateBatchRequest(batch.RemoteDirectoryId!, new RemoteBatchConfig(new RemoteBatchJob(batch.JobType, batch.ConfigurationId))), Ct);

        await harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        Assert.Equal(created.Id, (await harness.Get<IBatchStore>().GetAsync(batchId, Ct))!.RemoteBatchId);
        Assert.Equal(1, (await harness.Admin.CountersAsync()).BatchCreatesTotal);
    }

    [Fact]
    public async Task RunAsync_DoesNotOverlapARunInProgress_ButRunsAgainRightAfterIt()
    {
        harness.WriteFiles(1);
        var leases = harness.Get<Leases.LeaseManager>();
        var runner = harness.Get<SourceRunner>();

        await using (await leases.TryHoldAsync($"source:{PipelineHarness.SourceName}", Ct))
        {
            await runner.RunAsync(PipelineHarness.SourceName, RunTrigger.Watch, Ct);
            Assert.Equal(0L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.run"));
        }

        await runner.RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);

        Assert.Equal(1L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.run"));
        Assert.Contains(("run", $"{PipelineHarness.SourceName}:{RunTrigger.Rerun}"), harness.Scheduler.Calls);
    }

    [Fact]
    public async Task UploadAndSubmit_LookAgainLater_WhileTheBatchLeaseIsHeld_AndCarryOnOnceItIsFree()
    {
        harness.WriteFiles(2);
        var batchId = await PlanOneBatchAsync();
        var leases = harness.Get<Leases.LeaseManager>();
        var id = batchId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // A holder that is gone without releasing (a database outage) looks the same as one at work:
        // the step must come back for the batch, or it would wait for the stalled sweep.
        await using (await leases.TryHoldAsync(Leases.BatchLease.Name(batchId), Ct))
        {
            await harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
            Assert.Contains(("scheduled-upload", id), harness.Scheduler.Calls);
            Assert.Equal(0, (await harness.Admin.CountersAsync()).UploadsTotal);
        }

        await harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        // The submit step is handed on after the upload step released the lease, so it finds the batch free.
        Assert.Contains(("submit", id), harness.Scheduler.Calls);
        await using (await leases.TryHoldAsync(Leases.BatchLease.Name(batchId), Ct))
        {
            await harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
            Assert.Contains(("scheduled-submit", id), harness.Scheduler.Calls);
        }

        await harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        var counters = await harness.Admin.CountersAsync();
        Assert.Equal((2, 1), (counters.UploadsTotal, counters.BatchCreatesTotal));
    }

    private async Task<long> PlanOneBatchAsync()
    {
        await harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        return harness.Scheduler.BatchIds("upload").Single();
    }
}
