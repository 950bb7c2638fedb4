using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>The remote-only layout (a directory filled elsewhere, batched without scanning), driven step by step over a real database and the Sandbox.</summary>
public sealed class RemoteOnlyLayoutFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task RemoteOnly_BatchesAnExistingDirectory_WithoutScanning_AndAdoptsNoOlderBatchOfIt()
    {
        var api = Harness.Get<IBatchApis>().For(ProjectScope.Default);
        var directory = await api.CreateDirectoryAsync("filled-by-another-tool", ephemeral: false, Ct);
        for (var i = 0; i < 2; i++)
        {
            await using var content = new MemoryStream("remote document"u8.ToArray());
            await api.UploadFileAsync(directory.Id, new FileUpload(content, $"r{i}.txt", $"r{i}", $"r{i}.txt"), Ct);
        }

        var foreign = await api.CreateBatchAsync(new CreateBatchRequest(directory.Id, new RemoteBatchConfig(new RemoteBatchJob("parse_v2", "cfg-PARSE_AGENTIC"))), Ct);
        Configure(s =>
        {
            s.Layout = RemoteLayout.RemoteOnly;
            s.RemoteDirectoryId = directory.Id;
            s.Path = ""; // no local folder
        });

        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);
        var batchId = Harness.Scheduler.BatchIds("submit").Single();
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await Harness.RecordAllAsync([batchId], Ct);

        var batch = (await Harness.Get<IBatchStore>().GetAsync(batchId, Ct))!;
        Assert.NotEqual(foreign.Id, batch.RemoteBatchId);
        Assert.Equal(BatchState.ResultsRecorded, batch.State);
        Assert.Empty(Harness.Scheduler.BatchIds("upload"));
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where batch_id = $1 and job_id like 'pjb-%'", batchId));
        Assert.Equal("Completed", await Harness.Database.ScalarAsync<string>("select state from orchestrator.run"));
    }

    [Fact]
    public async Task RemoteOnly_AnUnchangedDirectory_IsNotParsedAgain_UntilItsFilesChange()
    {
        // Each batch over the directory bills every file in it: a nightly run over a directory nobody touched would pay for
        // all of it every night.
        var directoryId = await RemoteOnlyDirectoryAsync(2);
        var first = await RemoteOnlyRunAsync();
        await SubmitAndRecordAsync(first!.Value);

        Assert.Null(await RemoteOnlyRunAsync());
        Assert.Equal(
            ("NoChanges", 2, 0),
            (await Harness.Database.ListAsync("select state, files_seen, batch_count from orchestrator.run order by id desc limit 1", r => (r.GetString(0), r.GetInt32(1), r.GetInt32(2)))).Single());

        await UploadRemoteAsync(directoryId, "added");
        var third = await RemoteOnlyRunAsync();
        Assert.NotNull(third);
        await SubmitAndRecordAsync(third.Value);
        Assert.Equal(3L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where batch_id = $1 and job_id like 'pjb-%'", third.Value));

        var api = Harness.Get<IBatchApis>().For(ProjectScope.Default);
        var added = (await api.ListDirectoryFilesAsync(directoryId, Ct)).Single(f => f.DisplayName == "added.txt");
        await api.DeleteDirectoryFileAsync(directoryId, added.Id, Ct);
        Assert.NotNull(await RemoteOnlyRunAsync());
    }

    [Fact]
    public async Task RemoteOnly_ADirectoryWhoseLatestBatchFailed_IsParsedAgain_AndAnEmptyOneNotAtAll()
    {
        await Harness.Admin.SetFaultsAsync(new { fail_next_batches = 1 });
        await RemoteOnlyDirectoryAsync(1);
        var failed = await RemoteOnlyRunAsync();
        await SubmitAndRecordAsync(failed!.Value);
        Assert.Equal("Failed", await Harness.Database.ScalarAsync<string>("select remote_status from orchestrator.batch where id = $1", failed.Value));
        // The run is Completed (its one batch ended); the Runs page says that batch failed, though no file of ours shows it.
        var runs = await new OpsQueries(Harness.Database.DataSource).RunsAsync(PipelineHarness.SourceName, 1, Ct);
        Assert.StartsWith($"batch {failed.Value} failed at LlamaCloud", runs.Value(runs.Rows[0], "Error")?.ToString(), StringComparison.Ordinal);
        // Its directory is not left to the next scheduled run, a day away for a nightly source; an operator's retry sends it now.
        Assert.Equal(
            [("scheduled-run", $"{PipelineHarness.SourceName}:Retry", TimeSpan.FromMinutes(15))],
            Harness.Scheduler.Delays.Where(d => d.Step == "scheduled-run"));
        Assert.Equal(new RetryOutcome(0, 1), await Harness.Get<OperatorCommands>().RetryFailedAsync(PipelineHarness.SourceName, Ct));

        var again = await RemoteOnlyRunAsync();
        Assert.NotNull(again);
        await SubmitAndRecordAsync(again.Value);
        Assert.Single(Harness.Scheduler.Delays, d => d.Step == "scheduled-run"); // a batch that completed schedules none
        Assert.Null(await RemoteOnlyRunAsync());

        await RemoteOnlyDirectoryAsync(0);
        Assert.Null(await RemoteOnlyRunAsync());
        Assert.Equal(
            ("NoChanges", 0),
            (await Harness.Database.ListAsync("select state, files_seen from orchestrator.run order by id desc limit 1", r => (r.GetString(0), r.GetInt32(1)))).Single());
    }

    [Fact]
    public async Task RemoteOnly_AFileRefusedForGood_DoesNotSendTheDirectoryAgain()
    {
        // An unsupported file fails in every batch: sending the directory again for it would bill the others each time.
        var directoryId = await RemoteOnlyDirectoryAsync(2);
        await using (var content = new MemoryStream("MZ"u8.ToArray()))
        {
            await Harness.Get<IBatchApis>().For(ProjectScope.Default).UploadFileAsync(directoryId, new FileUpload(content, "tool.exe", "tool", "tool.exe"), Ct);
        }

        var first = await RemoteOnlyRunAsync();
        await SubmitAndRecordAsync(first!.Value);
        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where batch_id = $1 and error_class = 'Permanent'", first.Value));

        Assert.Null(await RemoteOnlyRunAsync());
    }

    [Fact]
    public async Task RemoteOnly_AJobThatFailed_IsRecordedAsFailed_ThoughNoFileOfOursGetsItsResult()
    {
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "broken" });
        var directoryId = await RemoteOnlyDirectoryAsync(1);
        await UploadRemoteAsync(directoryId, "broken");
        var batchId = await RemoteOnlyRunAsync();
        await SubmitAndRecordAsync(batchId!.Value);

        await Harness.FollowUpAllAsync([batchId.Value], Ct);

        var runs = await new OpsQueries(Harness.Database.DataSource).RunsAsync(PipelineHarness.SourceName, 1, Ct);
        Assert.Equal("""{"Failed": 1, "Succeeded": 1}""", runs.Value(runs.Rows[0], "Files ended by state")?.ToString());
    }

    [Fact]
    public async Task RemoteOnly_ADirectoryThatIsGone_FailsTheRun_SayingWhy()
    {
        Configure(s =>
        {
            s.Layout = RemoteLayout.RemoteOnly;
            s.RemoteDirectoryId = "dir-00000000-0000-0000-0000-000000000000";
            s.Path = "";
        });

        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);

        var (state, error) = (await Harness.Database.ListAsync("select state, error from orchestrator.run", r => (r.GetString(0), r.GetString(1)))).Single();
        Assert.Equal("Failed", state);
        Assert.StartsWith("remote directory dir-00000000-0000-0000-0000-000000000000 could not be listed:", error, StringComparison.Ordinal);
        Assert.Empty(Harness.Scheduler.BatchIds("submit"));
    }

    private Task<string> RemoteOnlyDirectoryAsync(int files) => RemoteOnlyDirectory.CreateAsync(Harness, files, Ct);

    private Task UploadRemoteAsync(string directoryId, string name) => RemoteOnlyDirectory.UploadAsync(Harness, directoryId, name, Ct);

    private Task<long?> RemoteOnlyRunAsync() => RemoteOnlyDirectory.RunAsync(Harness, Ct);

    private async Task SubmitAndRecordAsync(long batchId)
    {
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await Harness.RecordAllAsync([batchId], Ct);
    }

    private void Configure(Action<SourceOptions> change) => change(Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0]);
}
