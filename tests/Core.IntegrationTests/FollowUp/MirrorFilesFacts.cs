namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>The FileSystem sink's files for one path over time: what a later result leaves of an earlier one's.</summary>
public sealed class MirrorFilesFacts(PostgresServerFixture server)
{
    [Theory]
    [InlineData(400)]
    [InlineData(422)]
    [InlineData(200)] // answered without the markdown, as the SDK's optional fields allow: no refusal says the tier
    public async Task AResultWithoutMarkdown_RemovesTheMdAnEarlierResultOfThePathLeft(int fastTierMarkdownStatus)
    {
        // cfg-PARSE_FAST, a preset no source documents: the Sandbox refuses it unless told to accept it.
        await using var harness = await PipelineHarness.CreateAsync(
            server, sandboxOptions: new SandboxOptions { Guesses = { AcceptUndocumentedPresets = true, FastTierMarkdownStatus = fastTierMarkdownStatus } });
        harness.WriteFile("report.txt", "first draft");
        await harness.FollowUpAllAsync(await harness.RunToRecordedAsync(Ct), Ct);
        var output = Path.Combine(harness.Root, "output", PipelineHarness.SourceName);
        Assert.Contains("first draft", await File.ReadAllTextAsync(Path.Combine(output, "report.txt.md"), Ct), StringComparison.Ordinal);

        // Edited after the source moved to the fast tier, which gives text and no markdown (docs/llamacloud-api.md §6.2).
        harness.WriteFile("report.txt", "final text");
        var batchId = await harness.PlanOneBatchAsync(Ct);
        await harness.Database.ExecuteAsync("update orchestrator.batch set configuration_id = 'cfg-PARSE_FAST' where id = $1", batchId);
        await harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await harness.RecordAllAsync([batchId], Ct);
        await harness.FollowUpAllAsync([batchId], Ct);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "report.txt.json"), Ct));
        Assert.Contains("final text", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output, "report.txt.md")), "the first draft's markdown no longer stands beside the final text's result");
        Assert.Empty(Directory.EnumerateFiles(output, "*.tmp"));
    }

    [Fact]
    public async Task AnOlderContentsResult_WhoseLookBeganBeforeTheNewerOnesWasDelivered_DoesNotOverwriteIt()
    {
        var gate = new StatusGate();
        await using var harness = await PipelineHarness.CreateAsync(
            server, services: s => s.AddTransient<IJobStatuses>(p => new GatedStatuses(ActivatorUtilities.CreateInstance<JobStatuses>(p), gate)));
        harness.WriteFile("report.txt", "first draft");
        var older = await harness.RunToRecordedAsync(Ct);
        harness.WriteFile("report.txt", "final text");
        var newer = await harness.RunToRecordedAsync(Ct);
        gate.Batch = older[0];

        // The first draft's look has read its work (nothing newer delivered yet) and waits on its jobs' statuses, as a
        // look over a large batch spends minutes on its fetches, while the final text's follow-up runs to the end.
        var olderLook = harness.Get<FollowUpProcessor>().FollowUpAsync(older[0], Ct);
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await harness.FollowUpAllAsync(newer, Ct);
        gate.Open.SetResult();
        await olderLook;

        Assert.Equal("FollowedUp", await harness.Database.ScalarAsync<string>("select follow_up_state from orchestrator.batch_result where batch_id = $1", older[0]));
        var markdown = await File.ReadAllTextAsync(Path.Combine(harness.Root, "output", PipelineHarness.SourceName, "report.txt.md"), Ct);
        Assert.Contains("final text", markdown, StringComparison.Ordinal);
    }

    private sealed class StatusGate
    {
        public long? Batch { get; set; }

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class GatedStatuses(JobStatuses inner, StatusGate gate) : IJobStatuses
    {
        public async Task<IReadOnlyDictionary<string, JobStatus>> ReadAsync(FollowUpWork work, IReadOnlyList<FollowUpItem> items, CancellationToken cancellationToken)
        {
            if (work.BatchId == gate.Batch)
            {
                gate.Entered.TrySetResult();
                await gate.Open.Task.WaitAsync(cancellationToken);
            }

            return await inner.ReadAsync(work, items, cancellationToken);
        }
    }
}
