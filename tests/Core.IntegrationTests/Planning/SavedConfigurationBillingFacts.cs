namespace BatchOrchestrator.Core.IntegrationTests.Planning;

/// <summary>
/// A job of a saved parse configuration that scores confidence high is billed 5 credits a page more (docs/costs.md,
/// "Tier of a configuration"), and the Sandbox bills it so: what planning reserved is what LlamaCloud bills, with no drift;
/// and a price cached before the configuration was changed so is read again once a job is billed above it.
/// </summary>
public sealed class SavedConfigurationBillingFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task AFileOfAConfigurationScoringConfidenceHigh_IsReservedAsItIsBilled()
    {
        var configurationId = await SaveScoredConfigurationAsync("agentic");

        await PlanSendAndFollowUpAsync(configurationId);

        Assert.Equal(
            ("15", "15", "-"),
            (await Harness.Database.ListAsync(
                "select reserved_credits::int::text, billed_credits::int::text, coalesce(drift, '-') from orchestrator.credit_charge",
                r => (r.GetString(0), r.GetString(1), r.GetString(2))))[0]);
    }

    [Fact]
    public async Task AJobBilledAboveItsEstimateAtTheSameTier_DropsTheCachedPrice_SoTheNextPlanningReadsTheConfigurationAgain()
    {
        var configurationId = await SaveScoredConfigurationAsync("fast");
        // Cached before the configuration was given high confidence scoring: fast, 1 credit a page, nothing more.
        await Harness.Database.ExecuteAsync(
            "insert into orchestrator.configuration_tier (project_key, configuration_id, job_type, tier, known, version, fetched_at) values ($1, $2, 'parse_v2', 'fast', true, 'latest', now())",
            ProjectScope.Default.Key, configurationId);

        await PlanSendAndFollowUpAsync(configurationId);

        Assert.Equal(
            ("1", "6", "billed 6 credits, more than 1.25 x the estimate of 1"),
            (await Harness.Database.ListAsync(
                "select reserved_credits::int::text, billed_credits::int::text, coalesce(drift, '-') from orchestrator.credit_charge",
                r => (r.GetString(0), r.GetString(1), r.GetString(2))))[0]);
        Assert.True(await Harness.Database.ScalarAsync<bool>("select fetched_at = '-infinity' from orchestrator.configuration_tier where configuration_id = $1", configurationId));
    }

    private async Task<string> SaveScoredConfigurationAsync(string tier)
    {
        using var content = new StringContent(
            """{"name":"scored","parameters":{"product_type":"parse_v2","tier":"TIER","version":"latest","processing_options":{"confidence_score_effort":"high"}}}""".Replace("TIER", tier, StringComparison.Ordinal),
            System.Text.Encoding.UTF8,
            "application/json");
        using var http = new HttpClient { BaseAddress = Harness.Sandbox.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "llx-harness-key");
        using var response = await http.PostAsync(new Uri("api/v1/beta/configurations", UriKind.Relative), content, Ct);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return body.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>One file planned under the saved configuration, then sent, recorded and followed up as any batch.</summary>
    private async Task PlanSendAndFollowUpAsync(string configurationId)
    {
        Harness.WriteFile("a.txt", "alpha");
        await using (var saved = Harness.Restarted(
            new Dictionary<string, string?> { ["Sources:0:ConfigurationId"] = configurationId }, new RecordingScheduler(), new CapturingLoggerProvider()))
        {
            await saved.GetRequiredService<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        }

        var batchId = await Harness.Database.ScalarAsync<long>("select id from orchestrator.batch");
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await Harness.RecordAllAsync([batchId], Ct);
        await Harness.FollowUpAllAsync([batchId], Ct);
    }
}
