using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>A key LlamaCloud refuses (401) ends the upload step with its files before a person, not a batch waiting unseen.</summary>
public sealed class RefusedKeyFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["LLAMA_CLOUD_API_KEY"] = "llx-not-the-one-the-sandbox-knows" });

    [Fact]
    public async Task ARefusedKey_FailsTheBatchsFilesAsAuth_SaysWhatToDo_AndPutsThemBeforeAPerson()
    {
        Harness.WriteFiles(2);
        var batchId = Assert.Single(await Harness.PlanAsync(Ct));

        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct); // the refusal is the batch's outcome, not a job failure

        Assert.Equal(
            [("Failed", "Auth"), ("Failed", "Auth")],
            await Harness.Database.ListAsync("select state, error_class from orchestrator.file_version order by id", r => (r.GetString(0), r.GetString(1))));
        var (state, error) = (await Harness.Database.ListAsync("select state, last_error from orchestrator.batch where id = $1", r => (r.GetString(0), r.GetString(1)), batchId)).Single();
        Assert.Equal("ResultsRecorded", state);
        Assert.Contains("401", error, StringComparison.Ordinal);
        Assert.Contains("check the API key and the source's project, then retry the failed files", error, StringComparison.Ordinal);
        Assert.Contains(Harness.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("ended without reaching LlamaCloud", StringComparison.Ordinal));
        var attention = await Harness.Get<AttentionQueries>().NeedsAPersonAsync([(PipelineHarness.SourceName, "", 3)], TimeSpan.FromHours(1), Ct);
        Assert.Contains(attention.Rows, r => r[0] as string == "auth-failures");
    }
}
