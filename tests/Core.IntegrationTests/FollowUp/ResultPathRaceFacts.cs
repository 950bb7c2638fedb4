namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// Two follow-ups of two versions of one path, racing: whatever the interleaving, the path ends with the newer
/// version's result. One writer per result path at a time, on any instance, from the re-check to the save (docs/pipeline.md).
/// </summary>
public sealed class ResultPathRaceFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task AnOlderResult_PastItsRecheckButNotYetWritten_DoesNotOverwriteTheNewerOne_DeliveredMeanwhile()
    {
        var gate = new SinkGate();
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["FollowUp:Sinks:0"] = "Gate", ["FollowUp:Sinks:1"] = "FileSystem" },
            services: s => s.AddSingleton<IFollowUpSink>(gate));
        harness.WriteFile("report.txt", "first draft");
        var older = await harness.RunToRecordedAsync(Ct);
        harness.WriteFile("report.txt", "final text");
        var newer = await harness.RunToRecordedAsync(Ct);
        gate.Batch = older[0];

        // The first draft's follow-up has asked whether a newer result reached the path (none has) and is writing: held
        // in the sink before the FileSystem one, the instant between its re-check and its write made as long as needed.
        var olderLook = harness.Get<FollowUpProcessor>().FollowUpAsync(older[0], Ct);
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // The final text's follow-up, on another instance: it either delivers now (and the held write must then not
        // replace it) or waits for the path until the first draft's write is done and saved.
        var scheduler = new RecordingScheduler();
        await using var other = harness.AnotherInstance(scheduler, s => s.AddSingleton<IFollowUpSink>(new SinkGate()));
        var newerLook = FollowUpUntilDoneAsync(harness, other, newer[0]);
        await Eventually.WaitAsync(
            async () => newerLook.IsCompleted || await WaitingForALockAsync(harness),
            TimeSpan.FromSeconds(30),
            "the final text's follow-up to deliver, or to wait for the path");
        gate.Open.SetResult();
        await olderLook;
        await newerLook;

        var markdown = await File.ReadAllTextAsync(Path.Combine(harness.Root, "output", PipelineHarness.SourceName, "report.txt.md"), Ct);
        Assert.Contains("final text", markdown, StringComparison.Ordinal);
        Assert.Equal(
            ["FollowedUp", "FollowedUp"],
            await harness.Database.ListAsync("select follow_up_state from orchestrator.batch_result order by batch_id", r => r.GetString(0)));
    }

    private static Task FollowUpUntilDoneAsync(PipelineHarness harness, IServiceProvider instance, long batchId) => Task.Run(async () =>
    {
        while (await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where batch_id = $1 and follow_up_state = 'Recorded'", batchId) > 0)
        {
            await instance.GetRequiredService<FollowUpProcessor>().FollowUpAsync(batchId, Ct);
        }
    });

    private static Task<bool> WaitingForALockAsync(PipelineHarness harness) =>
        harness.Database.ScalarAsync<bool>(
            "select exists (select 1 from pg_locks l join pg_database d on d.oid = l.database where d.datname = current_database() and l.locktype = 'advisory' and not l.granted)");

    /// <summary>A sink that holds the writes of one batch until opened, and takes every other write at once.</summary>
    private sealed class SinkGate : IFollowUpSink
    {
        public long? Batch { get; set; }

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "Gate";

        public async Task WriteAsync(IReadOnlyList<FollowUpDocument> documents, CancellationToken cancellationToken)
        {
            if (documents.Any(d => d.BatchId == Batch))
            {
                Entered.TrySetResult();
                await Open.Task.WaitAsync(cancellationToken);
            }
        }
    }
}
