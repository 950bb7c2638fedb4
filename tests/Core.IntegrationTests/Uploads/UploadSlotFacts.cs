namespace BatchOrchestrator.Core.IntegrationTests.Uploads;

/// <summary>
/// One batch of a source uploads at a time, and the batches that wait are the database's planned batches:
/// whoever frees the slot, in whichever process, hands it to the next, so a restart strands none.
/// </summary>
public sealed class UploadSlotFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task ABatchThatFoundTheSlotTaken_IsHandedOn_ByAProcessThatNeverSawItWait()
    {
        await using var h = await PipelineHarness.CreateAsync(server);
        var (first, second) = await PlanTwoBatchesAsync(h);
        Assert.True(h.Get<UploadSlots>().TryEnter(PipelineHarness.SourceName, first)); // the first is uploading here

        await h.Get<BatchUploader>().UploadAsync(second, Ct);
        Assert.Equal(0, (await h.Admin.CountersAsync()).UploadsTotal); // it waits: its job ended without a send

        // This process is gone; a new one runs the first batch's (retried) job and must find the second by itself.
        var restarted = new RecordingScheduler();
        await using (var instance = h.AnotherInstance(restarted))
        {
            await instance.GetRequiredService<BatchUploader>().UploadAsync(first, Ct);
        }

        Assert.Equal([second], restarted.BatchIds("upload"));
        Assert.Equal([first], restarted.BatchIds("submit"));
        Assert.Equal(3, (await h.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task AFailedBatch_HandsTheSlotOnlyToALaterOne_AndAWaitOnLlamaCloudToNone()
    {
        await using var h = await PipelineHarness.CreateAsync(server);
        var (first, second) = await PlanTwoBatchesAsync(h);
        var slots = h.Get<UploadSlots>();
        var before = h.Scheduler.BatchIds("upload").Count();

        Assert.True(slots.TryEnter(PipelineHarness.SourceName, second));
        Assert.False(slots.TryEnter(PipelineHarness.SourceName, first)); // one at a time
        await slots.LeaveAsync(PipelineHarness.SourceName, second, SlotHandOn.NextAfterThis, Ct);
        Assert.Equal(before, h.Scheduler.BatchIds("upload").Count()); // not back to the first: both may be failing

        Assert.True(slots.TryEnter(PipelineHarness.SourceName, first));
        await slots.LeaveAsync(PipelineHarness.SourceName, first, SlotHandOn.None, Ct);
        Assert.Equal(before, h.Scheduler.BatchIds("upload").Count()); // a wait LlamaCloud asked for holds the next too

        Assert.True(slots.TryEnter(PipelineHarness.SourceName, first));
        await slots.LeaveAsync(PipelineHarness.SourceName, first, SlotHandOn.NextAfterThis, Ct);
        Assert.Equal(second, h.Scheduler.BatchIds("upload").Last());

        Assert.True(slots.TryEnter(PipelineHarness.SourceName, second));
        await slots.LeaveAsync(PipelineHarness.SourceName, second, SlotHandOn.Lowest, Ct);
        Assert.Equal(first, h.Scheduler.BatchIds("upload").Last()); // done with its uploads: the lowest waiting goes next
    }

    [Fact]
    public async Task ARunHandsOutOneUploadJob_AndEachFinishedBatchHandsTheSlotToTheNext()
    {
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["Pipeline:MaxFilesPerBatch"] = "2" });
        h.WriteFiles(6);
        var batches = await h.PlanAsync(Ct);
        Assert.Equal(3, batches.Count);
        Assert.Equal([batches[0]], h.Scheduler.BatchIds("upload")); // one job per batch in all, not one from planning and one from the hand-on

        await h.Get<BatchUploader>().UploadAsync(batches[0], Ct);
        Assert.Equal(batches.Take(2), h.Scheduler.BatchIds("upload"));
        await h.Get<BatchUploader>().UploadAsync(batches[1], Ct);
        Assert.Equal(batches, h.Scheduler.BatchIds("upload"));
        await h.Get<BatchUploader>().UploadAsync(batches[2], Ct);
        Assert.Equal(batches, h.Scheduler.BatchIds("upload")); // the last hands it to nobody
        Assert.Equal(6, (await h.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task ABatchCancelledBeforeItsUploadJobRan_HandsTheSlotToTheNext()
    {
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["Pipeline:MaxFilesPerBatch"] = "2" });
        h.WriteFiles(4);
        var batches = await h.PlanAsync(Ct);
        Assert.Equal([batches[0]], h.Scheduler.BatchIds("upload"));

        Assert.Equal(CancelOutcome.CancelledLocally, await h.Get<OperatorCommands>().CancelBatchAsync(batches[0], Ct));
        await h.Get<BatchUploader>().UploadAsync(batches[0], Ct); // the job it was handed runs after the cancel

        Assert.Equal(batches, h.Scheduler.BatchIds("upload"));
        Assert.Equal(0, (await h.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task AHandOnCutShortByShutdown_IsNoWarning_AndHandsNothingOn()
    {
        await using var h = await PipelineHarness.CreateAsync(server);
        var (first, _) = await PlanTwoBatchesAsync(h);
        var slots = h.Get<UploadSlots>();
        var before = h.Scheduler.BatchIds("upload").Count();
        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync(); // the host is stopping while the batch leaves its slot

        Assert.True(slots.TryEnter(PipelineHarness.SourceName, first));
        await slots.LeaveAsync(PipelineHarness.SourceName, first, SlotHandOn.Lowest, stopping.Token);

        Assert.Equal(before, h.Scheduler.BatchIds("upload").Count());
        Assert.DoesNotContain(h.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal));
        Assert.Contains(h.Logs.Lines, line => line.StartsWith("Information", StringComparison.Ordinal) && line.Contains("stalled-step sweep", StringComparison.Ordinal));
        Assert.True(slots.TryEnter(PipelineHarness.SourceName, first)); // and the slot itself was freed
    }

    [Fact]
    public async Task AHandOn_PassesOverABatchAnotherInstanceIsUploading()
    {
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["Pipeline:MaxFilesPerBatch"] = "2" });
        h.WriteFiles(6);
        var b = await h.PlanAsync(Ct);
        await using var other = h.AnotherInstance(new RecordingScheduler());
        // The other instance is at work on the first batch (a retry of its step) and holds its lease.
        await using var lease = await other.GetRequiredService<Core.Leases.LeaseManager>().TryHoldAsync(Core.Leases.BatchLease.Name(b[0]), Ct);
        Assert.NotNull(lease);
        var slots = h.Get<UploadSlots>();

        Assert.True(slots.TryEnter(PipelineHarness.SourceName, b[1]));
        await slots.LeaveAsync(PipelineHarness.SourceName, b[1], SlotHandOn.Lowest, Ct);

        // Handed to the first, the job would find it at work elsewhere and end, and nobody would hand on the third.
        Assert.Equal(b[2], h.Scheduler.BatchIds("upload").Last());
    }

    private static async Task<(long First, long Second)> PlanTwoBatchesAsync(PipelineHarness h)
    {
        h.WriteFiles(3, "first");
        var first = await h.PlanOneBatchAsync(Ct);
        h.WriteFiles(2, "second");
        var second = await h.PlanOneBatchAsync(Ct);
        return (first, second);
    }
}
