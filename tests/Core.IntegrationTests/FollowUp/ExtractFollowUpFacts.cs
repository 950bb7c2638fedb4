using System.Net.Http.Json;

namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>Follow-up of extract jobs over a real database and the Sandbox: the extracted fields written out, and what the job billed checked against the plan.</summary>
public sealed class ExtractFollowUpFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task FollowUpAsync_WritesTheExtractResult_ForExtractJobs()
    {
        await using var extract = await PipelineHarness.CreateAsync(Server, new Dictionary<string, string?> { ["Sources:0:JobType"] = "extract_v2", ["Sources:0:ConfigurationId"] = "cfg-placeholder" });
        var configurationId = await SaveExtractConfigurationAsync(extract);
        extract.WriteFile("invoice.txt", "Invoice number: INV-42\nTotal: 12.50");
        var batchId = await extract.PlanOneBatchAsync(Ct);
        // A saved extract configuration's id exists only once the Sandbox runs; the batch takes it as its source would.
        await extract.Database.ExecuteAsync("update orchestrator.batch set configuration_id = $1", configurationId);
        await extract.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await extract.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await extract.RecordAllAsync([batchId], Ct);

        await extract.FollowUpAllAsync([batchId], Ct);

        var json = await extract.Database.ScalarAsync<string>("select result::text from orchestrator.follow_up_result where job_type = 'extract_v2'");
        using var document = JsonDocument.Parse(json);
        Assert.Equal("INV-42", document.RootElement.GetProperty("invoice_number").GetString());
        using var file = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(extract.Root, "output", PipelineHarness.SourceName, "invoice.txt.json"), Ct));
        Assert.Equal("INV-42", file.RootElement.GetProperty("result").GetProperty("invoice_number").GetString());
        Assert.False(File.Exists(Path.Combine(extract.Root, "output", PipelineHarness.SourceName, "invoice.txt.md")));
    }

    [Fact]
    public async Task FollowUpAsync_AnExtractJobBilledAtAnotherTierThanPlanned_IsDrift_AndItsConfigurationIsReadAgain()
    {
        await using var extract = await PipelineHarness.CreateAsync(Server, new Dictionary<string, string?> { ["Sources:0:JobType"] = "extract_v2", ["Sources:0:ConfigurationId"] = "cfg-placeholder" });
        var configurationId = await SaveExtractConfigurationAsync(extract, tier: "agentic");
        extract.WriteFile("invoice.txt", "Invoice number: INV-7");
        var batchId = await extract.PlanOneBatchAsync(Ct);
        await extract.Database.ExecuteAsync("update orchestrator.batch set configuration_id = $1", configurationId);
        // Planned from a cached tier read before the configuration was changed to agentic.
        await extract.Database.ExecuteAsync("update orchestrator.credit_charge set tier = 'cost_effective'");
        await extract.Database.ExecuteAsync(
            "insert into orchestrator.configuration_tier (project_key, configuration_id, job_type, tier, known, version, fetched_at) values ($1, $2, 'extract_v2', 'cost_effective', true, 'v1', now())",
            ProjectScope.Default.Key, configurationId);
        await extract.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await extract.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await extract.RecordAllAsync([batchId], Ct);

        await extract.FollowUpAllAsync([batchId], Ct);

        Assert.Equal(
            ("agentic", "billed at tier agentic, configured cost_effective"),
            (await extract.Database.ListAsync("select billed_tier, drift from orchestrator.credit_charge", r => (r.GetString(0), r.GetString(1))))[0]);
        Assert.True(await extract.Database.ScalarAsync<bool>("select fetched_at = '-infinity' from orchestrator.configuration_tier where configuration_id = $1", configurationId));
    }

    private static async Task<string> SaveExtractConfigurationAsync(PipelineHarness target, string? tier = null)
    {
        using var http = new HttpClient { BaseAddress = target.Sandbox.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "llx-harness-key");
        using var response = await http.PostAsJsonAsync(new Uri("api/v1/beta/configurations", UriKind.Relative), new
        {
            name = "invoices",
            parameters = new
            {
                product_type = "extract_v2",
                tier,
                data_schema = new { type = "object", properties = new { invoice_number = new { type = "string" } } },
            },
        }, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull }, Ct); // no tier: none sent
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return body.RootElement.GetProperty("id").GetString()!;
    }
}
