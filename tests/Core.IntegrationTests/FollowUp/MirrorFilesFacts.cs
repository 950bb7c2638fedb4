namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>The FileSystem sink's files for one path over time: what a later result leaves of an earlier one's.</summary>
public sealed class MirrorFilesFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task AResultWithoutMarkdown_RemovesTheMdAnEarlierResultOfThePathLeft()
    {
        // cfg-PARSE_FAST, a preset no source documents: the Sandbox refuses it unless told to accept it.
        await using var harness = await PipelineHarness.CreateAsync(server, sandboxOptions: new SandboxOptions { Guesses = { AcceptUndocumentedPresets = true } });
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
}
