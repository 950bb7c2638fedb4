using BatchOrchestrator.Core.Pipeline;

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
    public async Task ABatchHandsItsSlotOn_OnceItsLastFileIsHandedOut_BeforeItsStepHasEnded()
    {
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["Pipeline:MaxFilesPerBatch"] = "2" });
        h.WriteFiles(4);
        var batches = await h.PlanAsync(Ct);
        bool? firstSubmittedBeforeHandOn = null;
        h.Scheduler.Recorded += (step, argument) =>
        {
            if (step == "upload" && argument == batches[1].ToString(CultureInfo.InvariantCulture))
            {
                firstSubmittedBeforeHandOn = h.Scheduler.BatchIds("submit").Contains(batches[0]);
            }
        };

        await h.Get<BatchUploader>().UploadAsync(batches[0], Ct);

        // The next batch could start while the first's step was still finishing: it was handed on before the
        // first was handed to submission, which is the step's last act.
        Assert.False(firstSubmittedBeforeHandOn);
        Assert.Equal([batches[0]], h.Scheduler.BatchIds("submit"));
        Assert.Equal(batches, h.Scheduler.BatchIds("upload")); // once each: the step's end did not hand it on again
        await h.Get<BatchUploader>().UploadAsync(batches[1], Ct);
        Assert.Equal(batches, h.Scheduler.BatchIds("upload"));
        Assert.Equal(4, (await h.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task TwoBatchesOfASourceFinishingAndStarting_ShareItsTurns_SoNoMoreThanUploadConcurrencyAreInFlight()
    {
        var gate = new UploadGate();
        await using var h = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["Pipeline:MaxFilesPerBatch"] = "2", ["Pipeline:UploadConcurrency"] = "2" },
            services: s => s.AddHttpClient(LlamaCloudApis.HttpClientName).AddHttpMessageHandler(() => new GatedHandler(gate)));
        h.WriteFiles(4);
        var batches = await h.PlanAsync(Ct);
        var uploader = h.Get<BatchUploader>();
        Task? second = null;
        h.Scheduler.Recorded += (step, argument) =>
        {
            if (step == "upload" && argument == batches[1].ToString(CultureInfo.InvariantCulture))
            {
                second = uploader.UploadAsync(batches[1], Ct); // as its job would, beside the first's step
            }
        };

        var first = uploader.UploadAsync(batches[0], Ct);
        // The first batch's two files are held in flight; the second batch starts, records its intent, and must
        // wait for a turn rather than send beside them.
        var slots = h.Get<UploadSlots>();
        await Eventually.WaitAsync(
            () => Task.FromResult(gate.InFlight >= 2 && slots.WaitingForTurn(PipelineHarness.SourceName) > 0),
            TimeSpan.FromSeconds(30),
            "the first batch's files in flight and the second batch's waiting for a turn",
            every: TimeSpan.FromMilliseconds(10));
        Assert.Equal(2, gate.InFlight);
        gate.Open();
        await first;
        await second!;

        Assert.Equal(2, gate.MostInFlight);
        Assert.Equal(4, (await h.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task ASourcesTurnsAreUploadConcurrencyPerSlot_AndAnotherSourceHasItsOwn()
    {
        await using var h = await PipelineHarness.CreateAsync(
            server, new Dictionary<string, string?> { ["Pipeline:UploadConcurrency"] = "2", ["Pipeline:BatchesUploadingPerSource"] = "2" });
        var slots = h.Get<UploadSlots>();
        var held = new List<SendTurn>();
        for (var i = 0; i < 4; i++)
        {
            held.Add(await slots.SendTurnAsync("docs", Ct));
        }

        var fifth = slots.SendTurnAsync("docs", Ct).AsTask();
        Assert.False(fifth.IsCompleted);
        (await slots.SendTurnAsync("other", Ct)).Dispose(); // not held up by docs

        held[0].Dispose();
        (await fifth.WaitAsync(TimeSpan.FromSeconds(30), Ct)).Dispose();
        held.Skip(1).ToList().ForEach(turn => turn.Dispose());
    }

    [Fact]
    public async Task AnEarlyHandOn_PassesOverABatchWaitingOutItsRetry_ButNotOneWhoseJobHasComeBack()
    {
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["Pipeline:MaxFilesPerBatch"] = "2" });
        h.WriteFiles(6);
        var b = await h.PlanAsync(Ct);
        Assert.Equal(3, b.Count);
        var slots = h.Get<UploadSlots>();

        Assert.True(slots.TryEnter(PipelineHarness.SourceName, b[0]));
        await slots.LeaveAsync(PipelineHarness.SourceName, b[0], SlotHandOn.NextAfterThis, Ct); // failed: its retry comes later
        Assert.True(slots.TryEnter(PipelineHarness.SourceName, b[1]));
        await slots.HandOnEarlyAsync(PipelineHarness.SourceName, b[1], Ct);
        Assert.Equal(b[2], h.Scheduler.BatchIds("upload").Last()); // not the failed one, before its retry's pause
        var handOns = h.Scheduler.BatchIds("upload").Count();
        await slots.LeaveAsync(PipelineHarness.SourceName, b[1], SlotHandOn.Lowest, Ct);
        Assert.Equal(handOns, h.Scheduler.BatchIds("upload").Count()); // handed on already: not twice

        Assert.True(slots.TryEnter(PipelineHarness.SourceName, b[2]));
        Assert.False(slots.TryEnter(PipelineHarness.SourceName, b[0])); // its retry came while the slot was taken
        await slots.HandOnEarlyAsync(PipelineHarness.SourceName, b[2], Ct);
        Assert.Equal(b[0], h.Scheduler.BatchIds("upload").Last()); // the lowest waiting, as a finished batch would hand it
    }

    [Fact]
    public async Task AHandOn_PassesOverABatchAnotherInstanceIsUploading()
    {
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["Pipeline:MaxFilesPerBatch"] = "2" });
        h.WriteFiles(6);
        var b = await h.PlanAsync(Ct);
        await using var other = h.AnotherInstance(new RecordingScheduler());
        // The other instance is finishing the first batch (its last requests in flight) and holds its lease.
        await using var lease = await other.GetRequiredService<Core.Leases.LeaseManager>().TryHoldAsync(Core.Leases.BatchLease.Name(b[0]), Ct);
        Assert.NotNull(lease);
        var slots = h.Get<UploadSlots>();

        Assert.True(slots.TryEnter(PipelineHarness.SourceName, b[1]));
        await slots.HandOnEarlyAsync(PipelineHarness.SourceName, b[1], Ct);

        // Handed to the first, the job would find it at work elsewhere and end, and nobody would hand on the third.
        Assert.Equal(b[2], h.Scheduler.BatchIds("upload").Last());
    }

    [Fact]
    public async Task AnEarlyHandOnThatCouldNotBeEnqueued_IsMadeWhenTheStepEnds()
    {
        var recorded = new RecordingScheduler();
        var failing = new NextUploadEnqueueFails(recorded);
        await using var h = await PipelineHarness.CreateAsync(server, services: s => s.AddSingleton<IPipelineScheduler>(failing));
        var (first, second) = await PlanTwoBatchesAsync(h);
        var slots = h.Get<UploadSlots>();
        recorded.Calls.Clear(); // planning's own hand-out of the first batch
        failing.Arm();

        Assert.True(slots.TryEnter(PipelineHarness.SourceName, first));
        await slots.HandOnEarlyAsync(PipelineHarness.SourceName, first, Ct); // Hangfire's storage refused the enqueue
        Assert.Empty(recorded.BatchIds("upload"));
        await slots.LeaveAsync(PipelineHarness.SourceName, first, SlotHandOn.Lowest, Ct);
        Assert.Equal([second], recorded.BatchIds("upload"));
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

/// <summary>Holds every upload request until opened, counting how many are in flight at once.</summary>
internal sealed class UploadGate
{
    private readonly TaskCompletionSource open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int inFlight;
    private int most;

    public int InFlight => Volatile.Read(ref inFlight);

    public int MostInFlight => Volatile.Read(ref most);

    public void Open() => open.TrySetResult();

    public async Task<T> PassAsync<T>(Func<Task<T>> send)
    {
        var now = Interlocked.Increment(ref inFlight);
        int seen;
        while ((seen = Volatile.Read(ref most)) < now && Interlocked.CompareExchange(ref most, now, seen) != seen)
        {
        }

        try
        {
            await open.Task;
            return await send();
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }
}

/// <summary>Sends uploads through the <see cref="UploadGate"/>, everything else straight on.</summary>
internal sealed class GatedHandler(UploadGate gate) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        request.RequestUri!.AbsolutePath.EndsWith("/files/upload", StringComparison.Ordinal)
            ? gate.PassAsync(() => base.SendAsync(request, cancellationToken))
            : base.SendAsync(request, cancellationToken);
}

/// <summary>A scheduler whose next upload enqueue fails once armed, as Hangfire's storage may in a database blip; the rest go to <paramref name="inner"/>.</summary>
internal sealed class NextUploadEnqueueFails(IPipelineScheduler inner) : IPipelineScheduler
{
    private int armed;

    public void Arm() => Volatile.Write(ref armed, 1);

    public void EnqueueUpload(string source, long batchId)
    {
        if (Interlocked.Exchange(ref armed, 0) == 1)
        {
            throw new InvalidOperationException("the job storage is unreachable");
        }

        inner.EnqueueUpload(source, batchId);
    }

    public void EnqueueRun(string source, RunTrigger trigger) => inner.EnqueueRun(source, trigger);

    public void ScheduleRun(string source, RunTrigger trigger, TimeSpan delay) => inner.ScheduleRun(source, trigger, delay);

    public void ScheduleUpload(string source, long batchId, TimeSpan delay) => inner.ScheduleUpload(source, batchId, delay);

    public void EnqueueSubmit(long batchId) => inner.EnqueueSubmit(batchId);

    public void ScheduleSubmit(long batchId, TimeSpan delay) => inner.ScheduleSubmit(batchId, delay);

    public void EnqueueRecord(long batchId) => inner.EnqueueRecord(batchId);

    public void ScheduleRecord(long batchId, TimeSpan delay) => inner.ScheduleRecord(batchId, delay);

    public void EnqueueFollowUp(string source, long batchId) => inner.EnqueueFollowUp(source, batchId);

    public void EnqueuePoll() => inner.EnqueuePoll();
}
