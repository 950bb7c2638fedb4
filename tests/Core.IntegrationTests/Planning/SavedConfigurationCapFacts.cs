namespace BatchOrchestrator.Core.IntegrationTests.Planning;

/// <summary>
/// A saved parse configuration can bill a page above its tier (docs/costs.md, "Tier of a configuration"): the pages its
/// auto-mode rules match are parsed at the rule's tier, and a high confidence score costs 5 credits a page more. Planning
/// reserves what a page may bill, whether the tier is read from the API or from its cache, so a cap holds what it would
/// otherwise let pass.
/// </summary>
public sealed class SavedConfigurationCapFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
        {
            ["Costs:Caps:0:Source"] = PipelineHarness.SourceName,
            ["Costs:Caps:0:Window"] = "Run",
            ["Costs:Caps:0:Credits"] = "12",
        });

    [Theory]
    // At fast a page is 1 credit; a page the rule matches (every .txt) bills at agentic_plus, 45.
    [InlineData("""{"product_type":"parse_v2","tier":"fast","version":"latest","processing_options":{"auto_mode_configuration":[{"filename_match_glob":"*.txt","parsing_conf":{"tier":"agentic_plus","version":"latest"}}]}}""", 45)]
    // At agentic a page is 10 credits, and 15 with its confidence scored high.
    [InlineData("""{"product_type":"parse_v2","tier":"agentic","version":"latest","processing_options":{"confidence_score_effort":"high"}}""", 15)]
    public async Task AOnePageFile_IsReservedAtWhatItsPageMayBill_AndHeldByACapItsTierAloneWouldPass(string parameters, int credits)
    {
        var configurationId = await SaveConfigurationAsync(parameters);
        Harness.WriteFile("a.txt", "alpha");
        await using var saved = Harness.Restarted(
            new Dictionary<string, string?> { ["Sources:0:ConfigurationId"] = configurationId }, new RecordingScheduler(), new CapturingLoggerProvider());

        // Each run reads the configuration from the API (planning does not trust its cache): both hold the file.
        for (var run = 0; run < 2; run++)
        {
            await saved.GetRequiredService<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
            Assert.Equal(
                ("docs/Run", 0L),
                (await Harness.Database.ScalarAsync<string>("select held_cap from orchestrator.file_version"),
                 await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge")));
        }

        Assert.Contains(
            $"next file ~{credits} credits", await Harness.Database.ScalarAsync<string>("select held_reason from orchestrator.file_version"), StringComparison.Ordinal);
    }

    private async Task<string> SaveConfigurationAsync(string parameters)
    {
        using var http = new HttpClient { BaseAddress = Harness.Sandbox.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "llx-harness-key");
        using var content = new StringContent($$"""{"name":"scored","parameters":{{parameters}}}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("api/v1/beta/configurations", UriKind.Relative), content, Ct);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return body.RootElement.GetProperty("id").GetString()!;
    }
}
