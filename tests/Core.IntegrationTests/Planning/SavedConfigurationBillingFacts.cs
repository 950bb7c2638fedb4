namespace BatchOrchestrator.Core.IntegrationTests.Planning;

/// <summary>
/// A job of a saved parse configuration that scores confidence high is billed 5 credits a page more (docs/costs.md,
/// "Tier of a configuration"), and the Sandbox bills it so: what planning reserved is what LlamaCloud bills, with no drift.
/// </summary>
public sealed class SavedConfigurationBillingFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task AFileOfAConfigurationScoringConfidenceHigh_IsReservedAsItIsBilled()
    {
        using var content = new StringContent(
            """{"name":"scored","parameters":{"product_type":"parse_v2","tier":"agentic","version":"latest","processing_options":{"confidence_score_effort":"high"}}}""",
            System.Text.Encoding.UTF8,
            "application/json");
        using var http = new HttpClient { BaseAddress = Harness.Sandbox.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "llx-harness-key");
        using var response = await http.PostAsync(new Uri("api/v1/beta/configurations", UriKind.Relative), content, Ct);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Harness.WriteFile("a.txt", "alpha");

        // Planned under the saved configuration, then sent, recorded and followed up as any batch.
        await using (var saved = Harness.Restarted(
            new Dictionary<string, string?> { ["Sources:0:ConfigurationId"] = body.RootElement.GetProperty("id").GetString() }, new RecordingScheduler(), new CapturingLoggerProvider()))
        {
            await saved.GetRequiredService<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        }

        var batchId = await Harness.Database.ScalarAsync<long>("select id from orchestrator.batch");
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await Harness.RecordAllAsync([batchId], Ct);
        await Harness.FollowUpAllAsync([batchId], Ct);

        Assert.Equal(
            ("15", "15", "-"),
            (await Harness.Database.ListAsync(
                "select reserved_credits::int::text, billed_credits::int::text, coalesce(drift, '-') from orchestrator.credit_charge",
                r => (r.GetString(0), r.GetString(1), r.GetString(2))))[0]);
    }
}
