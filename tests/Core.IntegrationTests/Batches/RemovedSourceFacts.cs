namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A source taken out of Sources (or renamed without rename-source) while a batch of it is under way
/// (docs/operations.md, "A source removed while its batches are under way"): a batch not yet submitted sends
/// and bills nothing, ends at once with a reason an operator can act on, and leaves its files for the source
/// once it is back; a batch already submitted is polled, recorded and followed up, its results kept.
/// </summary>
public sealed class RemovedSourceFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private const string Reason = "source 'docs' is no longer configured: its batch was not sent; put it back, or use rename-source";

    private List<SourceOptions> Configured => Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources;

    [Fact]
    public async Task UploadStep_OfARemovedSource_EndsTheBatchAtOnce_SendsNothing_AndTheSourcePutBackSendsItsFiles()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        var source = RemoveSource();

        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct); // once: no retry is burnt on it

        await AssertEndedUnsentAsync(batchId);
        var counters = await Harness.Admin.CountersAsync();
        Assert.Equal((0L, 0L, 0L), (counters.DirectoryCreatesTotal, counters.UploadsTotal, counters.BatchCreatesTotal));

        Configured.Add(source);
        Assert.Single(await Harness.RunToRecordedAsync(Ct));
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
    }

    [Fact]
    public async Task SubmitStep_OfARemovedSource_CreatesNoBatch_AndEndsItAtOnce()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        var source = RemoveSource();

        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        await AssertEndedUnsentAsync(batchId);
        Assert.Equal(0L, (await Harness.Admin.CountersAsync()).BatchCreatesTotal);

        Configured.Add(source);
        Assert.Single(await Harness.RunToRecordedAsync(Ct));
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
    }

    [Fact]
    public async Task SubmitStep_OfARemovedSource_AdoptsTheBatchAnEarlierAttemptCreated_AndFollowsIt()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        var created = await CreateAsAnEarlierAttemptAsync(batchId);
        RemoveSource();

        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        // Sent and billed before the source went: followed to its end like any other.
        Assert.Equal(created, await Harness.Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch where id = $1", batchId));
        Assert.Equal(1, (await Harness.Admin.CountersAsync()).BatchCreatesTotal);
        await Harness.RecordAllAsync([batchId], Ct);
        await Harness.FollowUpAllAsync([batchId], Ct);
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
    }

    [Fact]
    public async Task SubmitStep_OfARemovedSource_WhoseEarlierCreateMadeNothing_EndsTheBatchWithoutCreatingOne()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        // The snapshot an attempt takes before its POST, and a POST that never reached LlamaCloud.
        await Harness.UnderLeaseAsync(batchId, fence => Harness.Get<IBatchStore>().RecordPreexistingBatchesAsync(batchId, [], fence, Ct), Ct);
        RemoveSource();

        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        await AssertEndedUnsentAsync(batchId);
        Assert.Equal(0L, (await Harness.Admin.CountersAsync()).BatchCreatesTotal);
    }

    [Fact]
    public async Task ASubmittedBatch_OfARemovedSource_IsPolledRecordedAndFollowedUp_ItsResultsWrittenUnderFollowUpOutputPath()
    {
        Harness.WriteFiles(2);
        Configured.Single().OutputPath = Path.Combine(Harness.Root, "own-output");
        var batches = await Harness.SubmitAllAsync(Ct);
        RemoveSource();

        await Harness.RecordAllAsync(batches, Ct);
        await Harness.FollowUpAllAsync(batches, Ct);

        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
        // Its own OutputPath went with its configuration: the results go where a source of that Name without one writes.
        Assert.True(File.Exists(Path.Combine(Harness.Root, "output", PipelineHarness.SourceName, "doc0000.txt.md")));
        Assert.True(File.Exists(Path.Combine(Harness.Root, "output", PipelineHarness.SourceName, "doc0001.txt.json")));
        var warning = Assert.Single(Harness.Logs.Lines, l => l.Contains("a source no longer configured", StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(Harness.Root, "output", PipelineHarness.SourceName), warning, StringComparison.Ordinal);
        Assert.DoesNotContain(Harness.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
    }

    /// <summary>A create an earlier submit sent after taking its snapshot, and died before recording; returns the remote batch's id.</summary>
    private async Task<string> CreateAsAnEarlierAttemptAsync(long batchId)
    {
        var store = Harness.Get<IBatchStore>();
        await Harness.UnderLeaseAsync(batchId, fence => store.RecordPreexistingBatchesAsync(batchId, [], fence, Ct), Ct);
        var batch = (await store.GetAsync(batchId, Ct))!;
        var request = new CreateBatchRequest(batch.RemoteDirectoryId!, new RemoteBatchConfig(new RemoteBatchJob(batch.JobType, batch.ConfigurationId)));
        return (await Harness.Get<IBatchApis>().For(ProjectScope.Default).CreateBatchAsync(request, Ct)).Id;
    }

    [Fact]
    public async Task ASubmittedBatch_OfARemovedSource_ThatFailedAsAWhole_QueuesItsUnreportedFiles_AndSchedulesNoRunOfIt()
    {
        Harness.WriteFiles(4);
        await Harness.Admin.SetFaultsAsync(new { fail_next_batches = 1 }); // LlamaCloud reports on half its files, then fails it
        var batches = await Harness.SubmitAllAsync(Ct);
        RemoveSource();

        await Harness.RecordAllAsync(batches, Ct);

        Assert.Equal(
            [("Discovered", 2L), ("Succeeded", 2L)],
            await Harness.Database.ListAsync("select state, count(*) from orchestrator.file_version group by state order by state", r => (r.GetString(0), r.GetInt64(1))));
        // A run of a source not configured would only be skipped, saying instances need the same Sources: none is asked for.
        Assert.DoesNotContain(Harness.Scheduler.Calls, c => c.Step is "scheduled-run" or "run");
        var warning = Assert.Single(Harness.Logs.Lines, l => l.Contains("no run is scheduled", StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Contains($"Batch {batches.Single()}: 2 files of {PipelineHarness.SourceName} wait in the queue", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FilesOfARemovedSource_WhoseAttemptsAreUsedUp_AreToldHowToSendThemAgain_ByAVerbThatWouldTakeThem()
    {
        Harness.WriteFiles(2);
        await Harness.Admin.SetFaultsAsync(new { fail_next_batches = 1 }); // LlamaCloud reports on half its files, then fails it
        var batches = await Harness.SubmitAllAsync(Ct);
        RemoveSource();
        // Their last try (a removed source's MaxAttempts is the default's, 3).
        await Harness.Database.ExecuteAsync("update orchestrator.file_version set process_attempts = 3");

        await Harness.RecordAllAsync(batches, Ct);

        // 'retry <source> --failed' refuses a source that is not configured (exit 2): the warning says what comes first.
        var warning = Assert.Single(Harness.Logs.Lines, l => l.Contains("failed for good", StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Contains(
            $"{PipelineHarness.SourceName} is no longer configured: put it back in Sources (or move its record to its new Name with rename-source), "
            + $"then 'retry {PipelineHarness.SourceName} --failed' sends them again",
            warning,
            StringComparison.Ordinal);
    }

    private SourceOptions RemoveSource()
    {
        // As a reload of appsettings without it: the options every step reads no longer name it.
        var source = Configured.Single();
        Configured.Clear();
        return source;
    }

    /// <summary>Ended with its reason, nothing of it billed; its files out of it, waiting unchanged; one warning and no run asked for.</summary>
    private async Task AssertEndedUnsentAsync(long batchId)
    {
        var (state, error) = (await Harness.Database.ListAsync(
            "select state, last_error from orchestrator.batch where id = $1", r => (r.GetString(0), r.GetString(1)), batchId)).Single();
        Assert.Equal("ResultsRecorded", state);
        Assert.StartsWith(Reason, error, StringComparison.Ordinal);
        Assert.Equal(
            [("Discovered", 0, true)],
            await Harness.Database.ListAsync(
                "select distinct state, process_attempts, batch_id is null from orchestrator.file_version", r => (r.GetString(0), r.GetInt32(1), r.GetBoolean(2))));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>(
            "select count(*) from orchestrator.credit_charge where batch_id = $1 and billed_credits is null", batchId)); // its reservations freed
        var warning = Assert.Single(Harness.Logs.Lines, l => l.Contains("no longer configured", StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Contains($"Batch {batchId} of {PipelineHarness.SourceName}", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(Harness.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
        Assert.DoesNotContain(Harness.Scheduler.Calls, c => c.Step is "scheduled-run" or "run");
    }
}
