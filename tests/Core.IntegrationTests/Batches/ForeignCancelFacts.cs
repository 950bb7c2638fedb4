using System.Net.Http.Headers;
using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A batch cancelled at LlamaCloud by someone else (its web app, another tool with the key), not by an operator here:
/// the files it never processed were nobody's choice to drop, so they go back to the queue, as a batch that failed as a whole.
/// </summary>
public sealed class ForeignCancelFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private const int Files = 12;

    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server, sandboxOptions: new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(100), FilesMappedPerStep = 1 });

    [Fact]
    public async Task ABatchCancelledAtLlamaCloudByNoOperatorOfOurs_SendsItsUnprocessedFilesAgain_AndNoProcessedOne()
    {
        var batches = await SubmitThenCancelElsewhereAsync();
        await Harness.RecordAllAsync(batches, Ct);
        var withJob = await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where job_id is not null");
        var queued = await Harness.Database.ListAsync(
            "select relative_path, error_class, error_message from orchestrator.file_version where state = 'Discovered' order by relative_path",
            r => (Path: r.GetString(0), Class: r.GetString(1), Reason: r.GetString(2)));

        Assert.Equal("Cancelled", await Harness.Database.ScalarAsync<string>("select remote_status from orchestrator.batch"));
        Assert.InRange(withJob, 3, Files - 1); // the cancel caught the batch mid-way, some files processed, some not
        Assert.Equal(Files - withJob, queued.Count);
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Skipped'"));
        Assert.All(queued, q =>
        {
            Assert.Equal("Transient", q.Class);
            Assert.Contains("cancelled at LlamaCloud, not by an operator here", q.Reason, StringComparison.Ordinal);
        });
        Assert.Contains(("scheduled-run", $"{PipelineHarness.SourceName}:Retry"), Harness.Scheduler.Calls);

        // The next run sends exactly those files: none is lost, none that had a job is parsed (and billed) again.
        var jobsBefore = await Harness.Admin.CounterAsync("parse_jobs_created_total");
        var again = await Harness.RunToRecordedAsync(Ct);
        Assert.Single(again);
        Assert.Equal(Files - withJob, await Harness.Admin.CounterAsync("parse_jobs_created_total") - jobsBefore);
        Assert.Equal((long)Files, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
    }

    [Fact]
    public async Task AJobCancelledAtLlamaCloudByNoOperatorOfOurs_SendsItsFileAgain_WhileAJobThatFinishedKeepsItsResult()
    {
        var batches = await SubmitThenCancelElsewhereAsync(); // LlamaCloud cancels the batch's unfinished jobs with it
        await Harness.RecordAllAsync(batches, Ct);
        await Harness.FollowUpAllAsync(batches, Ct);
        var cancelledJobs = await Harness.Database.ListAsync(
            "select v.relative_path, v.state, v.error_class, v.error_message from orchestrator.batch_result r join orchestrator.file_version v on v.id = r.file_version_id where r.remote_job_status = 'CANCELLED'",
            r => (Path: r.GetString(0), State: r.GetString(1), Class: r.IsDBNull(2) ? null : r.GetString(2), Reason: r.IsDBNull(3) ? null : r.GetString(3)));

        Assert.NotEmpty(cancelledJobs);
        Assert.All(cancelledJobs, f =>
        {
            Assert.Equal(("Failed", "Transient"), (f.State, f.Class));
            Assert.Contains("cancelled at LlamaCloud, not by an operator here", f.Reason, StringComparison.Ordinal);
        });

        // The batch's own figures (Runs page and status, the overview) count those files as what they now are: failed.
        var queries = Harness.Get<OpsQueries>();
        var runs = await queries.RunsAsync(null, 10, Ct);
        var ended = JsonSerializer.Deserialize<Dictionary<string, long>>((string)runs.Value(runs.Rows.Single(), "Files ended by state")!)!;
        Assert.False(ended.ContainsKey("Skipped"), string.Join(", ", ended));
        Assert.Equal(cancelledJobs.Count, ended["Failed"]);
        var day = await Harness.Get<OverviewQueries>().LastDayAsync([PipelineHarness.SourceName], Ct);
        Assert.Equal((0L, (long)cancelledJobs.Count), (day.Value(day.Rows[0], "Skipped"), day.Value(day.Rows[0], "Failed")));

        // Every file ends with its result: none left skipped by a cancel nobody here asked for.
        var again = await Harness.RunToRecordedAsync(Ct);
        await Harness.FollowUpAllAsync(again, Ct);
        // Sent again by a later batch, they still count as failed in the first (Batches page, batch detail).
        var batchesPage = await queries.BatchesAsync(null, null, openOnly: false, 10, Ct);
        var first = (string)batchesPage.Value(batchesPage.Rows.Single(r => Equals(batchesPage.Value(r, "Batch"), batches.Single())), "Files by state")!;
        Assert.DoesNotContain("Skipped", first, StringComparison.Ordinal);
        Assert.Equal((long)Files, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
        Assert.Equal((long)Files, await Harness.Database.ScalarAsync<long>("select count(distinct file_version_id) from orchestrator.batch_result where follow_up_state = 'FollowedUp'"));
    }

    [Fact]
    public async Task ARemoteOnlyBatchCancelledAtLlamaCloudByNoOperatorOfOurs_SchedulesTheRunThatSendsItsDirectoryAgain()
    {
        var api = Harness.Get<IBatchApis>().For(ProjectScope.Default);
        var directory = await api.CreateDirectoryAsync("filled-elsewhere", ephemeral: false, Ct);
        for (var i = 0; i < Files; i++)
        {
            await using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"remote document {i}"));
            await api.UploadFileAsync(directory.Id, new FileUpload(content, $"r{i}.txt", $"r{i}", $"r{i}.txt"), Ct);
        }

        var source = Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0];
        (source.Layout, source.RemoteDirectoryId, source.Path) = (RemoteLayout.RemoteOnly, directory.Id, "");
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);
        var batchId = Harness.Scheduler.BatchIds("submit").Single();
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await api.CancelBatchAsync(await Harness.Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch"), Ct);
        await Harness.RecordAllAsync([batchId], Ct);

        // Its directory was left unparsed by nobody's choice here: as after a batch that failed, a run sends it again
        // Pipeline:RetryRunAfter later, not the schedule's next one, a day away for a nightly source.
        Assert.Equal("Cancelled", await Harness.Database.ScalarAsync<string>("select remote_status from orchestrator.batch"));
        Assert.Contains(("scheduled-run", $"{PipelineHarness.SourceName}:Retry"), Harness.Scheduler.Calls);
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Retry, Ct);
        Assert.Equal(2, Harness.Scheduler.BatchIds("submit").Count()); // and that run batches the directory again
    }

    // Submits a batch of Files, waits for LlamaCloud to map a few, then cancels it there, as its web app would.
    private async Task<IReadOnlyList<long>> SubmitThenCancelElsewhereAsync()
    {
        Harness.WriteFiles(Files);
        var batches = await Harness.SubmitAllAsync(Ct);
        var remoteId = await Harness.Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch where id = $1", batches.Single());
        await Eventually.WaitAsync(
            () => Harness.Admin.CounterAsync("parse_jobs_created_total"), n => n >= 3, TimeSpan.FromSeconds(20), "the batch to map some of its files");
        using var http = new HttpClient { BaseAddress = Harness.Sandbox.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PipelineHarness.ApiKey);
        (await http.PostAsync(new Uri($"api/v2/batches/{remoteId}/cancel", UriKind.Relative), null, Ct)).EnsureSuccessStatusCode();
        return batches;
    }
}
