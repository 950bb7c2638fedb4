namespace BatchOrchestrator.Core.IntegrationTests.Planning;

/// <summary>
/// A job of a saved parse configuration that scores confidence high is billed 5 credits a page more (docs/costs.md,
/// "Tier of a configuration"), and the Sandbox bills it so: what planning reserved is what LlamaCloud bills, with no drift;
/// a price cached before the configuration was changed so is not what the next planning of a new file reserves, while a run
/// that found nothing new asks the API nothing; and a configuration changed
/// between planning and its job, billed above its reservation, has its cached price dropped. An auto-mode rule's pages are
/// billed at the rule's tier, so what the Sandbox bills can be checked against what planning reserved.
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

    [Theory]
    // Every page of a.txt matches the rule: parsed, and billed, at agentic_plus, as planning reserved it.
    [InlineData("*.txt", "45")]
    // No page of a.txt matches it: billed at the configuration's fast; planning, which cannot know which pages match, reserved 45.
    [InlineData("*.pdf", "1")]
    public async Task AFileOfAConfigurationWithAnAutoModeRule_IsBilledAtTheRulesTierOnThePagesItMatches(string glob, string billed)
    {
        var configurationId = await SaveConfigurationAsync(
            $$$"""{"product_type":"parse_v2","tier":"fast","version":"latest","processing_options":{"auto_mode_configuration":[{"filename_match_glob":"{{{glob}}}","parsing_conf":{"tier":"agentic_plus","version":"latest"}}]}}""");

        await PlanSendAndFollowUpAsync(configurationId);

        Assert.Equal(
            ("45", billed, "-"),
            (await Harness.Database.ListAsync(
                "select reserved_credits::int::text, billed_credits::int::text, coalesce(drift, '-') from orchestrator.credit_charge",
                r => (r.GetString(0), r.GetString(1), r.GetString(2))))[0]);
    }

    [Fact]
    public async Task AConfigurationMadeDearerAfterItsPriceWasCached_IsReservedAtItsNewPrice_AtTheNextPlanning()
    {
        var configurationId = await SaveScoredConfigurationAsync("fast");
        // Cached a minute ago, before the configuration was given high confidence scoring: fast, 1 credit a page, nothing more.
        await Harness.Database.ExecuteAsync(
            "insert into orchestrator.configuration_tier (project_key, configuration_id, job_type, tier, known, version, fetched_at) values ($1, $2, 'parse_v2', 'fast', true, 'latest', now() - interval '1 minute')",
            ProjectScope.Default.Key, configurationId);

        await PlanAsync(configurationId);

        Assert.Equal(6, await Harness.Database.ScalarAsync<int>("select reserved_credits::int from orchestrator.credit_charge"));
    }

    [Fact]
    public async Task ARunThatFindsNothingNew_AsksTheApiNothingAboutItsConfiguration_WhileANewFileIsPricedAfresh()
    {
        const string Read = "GET /api/v1/beta/configurations/{config_id}";
        var configurationId = await SaveScoredConfigurationAsync("fast", scored: false);
        await PlanAsync(configurationId);
        var first = await Harness.Admin.CounterAsync("requests_by_route", Read);

        // a.txt written again with the same content: hashed, no new version, nothing to price.
        await PlanAsync(configurationId);
        Assert.Equal(first, await Harness.Admin.CounterAsync("requests_by_route", Read));

        Harness.WriteFile("b.txt", "beta");
        await PlanAsync(configurationId);
        Assert.Equal(first + 1, await Harness.Admin.CounterAsync("requests_by_route", Read));
    }

    [Fact]
    public async Task AJobBilledAboveItsEstimateAtTheSameTier_DropsTheCachedPrice_SoTheNextPlanningReadsTheConfigurationAgain()
    {
        var configurationId = await SaveScoredConfigurationAsync("fast", scored: false);
        await PlanAsync(configurationId);
        // Given high confidence scoring after the file was planned at fast, 1 credit a page, and before its job was created.
        await PutConfigurationAsync(configurationId, """{"parameters":{"product_type":"parse_v2","tier":"fast","version":"latest","processing_options":{"confidence_score_effort":"high"}}}""");

        await SendAndFollowUpAsync();

        Assert.Equal(
            ("1", "6", "billed 6 credits, more than 1.25 x the estimate of 1"),
            (await Harness.Database.ListAsync(
                "select reserved_credits::int::text, billed_credits::int::text, coalesce(drift, '-') from orchestrator.credit_charge",
                r => (r.GetString(0), r.GetString(1), r.GetString(2))))[0]);
        Assert.True(await Harness.Database.ScalarAsync<bool>("select fetched_at = '-infinity' from orchestrator.configuration_tier where configuration_id = $1", configurationId));
    }

    private Task<string> SaveScoredConfigurationAsync(string tier, bool scored = true)
    {
        var options = scored ? ""","processing_options":{"confidence_score_effort":"high"}""" : "";
        return SaveConfigurationAsync($$$"""{"product_type":"parse_v2","tier":"{{{tier}}}","version":"latest"{{{options}}}}""");
    }

    private async Task<string> SaveConfigurationAsync(string parameters)
    {
        using var content = new StringContent($$"""{"name":"saved","parameters":{{parameters}}}""", System.Text.Encoding.UTF8, "application/json");
        using var http = SandboxClient();
        using var response = await http.PostAsync(new Uri("api/v1/beta/configurations", UriKind.Relative), content, Ct);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return body.RootElement.GetProperty("id").GetString()!;
    }

    private async Task PutConfigurationAsync(string configurationId, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var http = SandboxClient();
        using var response = await http.PutAsync(new Uri($"api/v1/beta/configurations/{configurationId}", UriKind.Relative), content, Ct);
        response.EnsureSuccessStatusCode();
    }

    private HttpClient SandboxClient()
    {
        var http = new HttpClient { BaseAddress = Harness.Sandbox.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "llx-harness-key");
        return http;
    }

    /// <summary>One file planned under the saved configuration, then sent, recorded and followed up as any batch.</summary>
    private async Task PlanSendAndFollowUpAsync(string configurationId)
    {
        await PlanAsync(configurationId);
        await SendAndFollowUpAsync();
    }

    private async Task PlanAsync(string configurationId)
    {
        Harness.WriteFile("a.txt", "alpha");
        await using var saved = Harness.Restarted(
            new Dictionary<string, string?> { ["Sources:0:ConfigurationId"] = configurationId }, new RecordingScheduler(), new CapturingLoggerProvider());
        await saved.GetRequiredService<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
    }

    private async Task SendAndFollowUpAsync()
    {
        var batchId = await Harness.Database.ScalarAsync<long>("select id from orchestrator.batch");
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await Harness.RecordAllAsync([batchId], Ct);
        await Harness.FollowUpAllAsync([batchId], Ct);
    }
}
