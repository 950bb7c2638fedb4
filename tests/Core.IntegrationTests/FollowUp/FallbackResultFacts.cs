using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// A file sent to its source's fallback configuration has one result in the sinks, the one that stands: the empty
/// result that escalated it is never delivered (docs/costs.md, "Cheap tier first"), and the PostgreSQL sink keeps a
/// row per name, the latest job's, so a fallback or a reprocess replaces the row rather than adding one (docs/pipeline.md).
/// </summary>
public sealed class FallbackResultFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    // cfg-PARSE_AGENTIC_PLUS and cfg-PARSE_FAST are presets no source documents: the Sandbox refuses them unless told to accept them.
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server,
        sandboxOptions: new SandboxOptions { Guesses = { AcceptUndocumentedPresets = true } },
        settings: new Dictionary<string, string?>
        {
            ["Sources:0:FallbackConfigurationId"] = "cfg-PARSE_AGENTIC_PLUS",
            ["Costs:Presets:cfg-PARSE_AGENTIC_PLUS:JobType"] = "parse_v2",
            ["Costs:Presets:cfg-PARSE_AGENTIC_PLUS:Tier"] = "agentic_plus",
        });

    private string Output => Path.Combine(Harness.Root, "output", PipelineHarness.SourceName);

    [Fact]
    public async Task AnEmptyResultSentToTheFallback_IsWrittenToNoSink_AndAFallbackThatFailsLeavesNoResultBesideTheFailedFile()
    {
        Harness.WriteFile("good.txt", "fine");
        Harness.WriteFile("blank.txt", "scanned image, nothing to read");
        await Harness.Admin.SetFaultsAsync(new { empty_results_matching = "blank" });

        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        Assert.Equal("Discovered", await StateAsync("blank.txt")); // escalated: waiting for its fallback batch
        Assert.DoesNotContain(Harness.Logs.Lines, l => l.Contains("will not be delivered", StringComparison.Ordinal)); // the fallback at work, not a loss
        Assert.Equal( // nothing of it was delivered, and its job reference does not say it was
            ["blank.txt FollowUpFailed the result was empty; sent again with cfg-PARSE_AGENTIC_PLUS", "good.txt FollowedUp "],
            await Harness.Database.ListAsync(
                "select v.relative_path || ' ' || r.follow_up_state || ' ' || coalesce(r.follow_up_error, '') from orchestrator.batch_result r join orchestrator.file_version v on v.id = r.file_version_id order by 1",
                r => r.GetString(0)));
        Assert.Equal(["good.txt"], await RowsAsync());
        Assert.False(File.Exists(Path.Combine(Output, "blank.txt.md")));
        Assert.False(File.Exists(Path.Combine(Output, "blank.txt.json")));
        Assert.True(File.Exists(Path.Combine(Output, "good.txt.json")));

        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "blank" });
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        Assert.Equal("Failed", await StateAsync("blank.txt"));
        Assert.Equal(["good.txt"], await RowsAsync());
        Assert.False(File.Exists(Path.Combine(Output, "blank.txt.md")));
        Assert.False(File.Exists(Path.Combine(Output, "blank.txt.json")));
    }

    [Fact]
    public async Task AFallbackThatSucceeds_LeavesOneRowForThePath_ThatOfTheFallbackJob()
    {
        await RescuedByTheFallbackAsync();


        Assert.Equal("Succeeded", await StateAsync("blank.txt"));
        var jobId = await Harness.Database.ScalarAsync<string>("select job_id from orchestrator.file_version where relative_path = 'blank.txt'");
        Assert.Equal(
            [$"blank.txt {jobId} true"],
            await Harness.Database.ListAsync(
                "select relative_path || ' ' || job_id || ' ' || (markdown <> '') from orchestrator.follow_up_result order by 1", r => r.GetString(0)));
        Assert.Contains(jobId, await File.ReadAllTextAsync(Path.Combine(Output, "blank.txt.json"), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReprocessedFile_HasOneRow_ThatOfItsLatestJob()
    {
        Harness.WriteFile("a.md", "alpha");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Find(PipelineHarness.SourceName)!.ConfigurationId = "cfg-PARSE_FAST";

        Assert.Equal(1, (await Harness.Get<Reprocessing>().ReprocessAsync(PipelineHarness.SourceName, ReprocessFilter.All, atMost: 1, Ct)).Queued);
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        var jobId = await Harness.Database.ScalarAsync<string>("select job_id from orchestrator.file_version where relative_path = 'a.md'");
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where job_id is not null"));
        Assert.Equal(
            [$"a.md {jobId}"],
            await Harness.Database.ListAsync("select relative_path || ' ' || job_id from orchestrator.follow_up_result", r => r.GetString(0)));
    }

    [Fact]
    public async Task AFileTheFallbackRescued_CountsAsUnderTheSourcesConfiguration_AndIsReprocessedFromItOnlyOnceThatChanges()
    {
        await RescuedByTheFallbackAsync();
        Assert.Equal("Succeeded", await StateAsync("blank.txt"));

        // Nothing was changed: nothing is under an older configuration, so no reprocess sends it to the fallback (at
        // agentic_plus, while its preview priced the source's own tier) again and again.
        Assert.Equal((0, 0L), ((await Reprocessing.PreviewAsync(PipelineHarness.SourceName, ReprocessFilter.All, Ct)).Selected, await UnderAnOlderConfigurationAsync()));

        var source = Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Find(PipelineHarness.SourceName)!;
        source.ConfigurationId = "cfg-PARSE_FAST";
        var preview = await Reprocessing.PreviewAsync(PipelineHarness.SourceName, ReprocessFilter.All, Ct);
        Assert.Equal((1, 1, 1L), (preview.ProcessedUnder["parse_v2 cfg-PARSE_AGENTIC"], preview.Selected, await UnderAnOlderConfigurationAsync()));
        Assert.Equal(1, (await Reprocessing.ReprocessAsync(PipelineHarness.SourceName, ReprocessFilter.All, atMost: 1, Ct)).Queued);
        var batch = Assert.Single(await Harness.RunToRecordedAsync(Ct)); // at the source's new configuration, not its fallback
        Assert.Equal(
            ["parse_v2 cfg-PARSE_FAST false"],
            await Harness.Database.ListAsync("select configuration_fingerprint || ' ' || escalation from orchestrator.batch where id = $1", r => r.GetString(0), batch));
    }

    private Reprocessing Reprocessing => Harness.Get<Reprocessing>();

    private async Task<long> UnderAnOlderConfigurationAsync()
    {
        var source = Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Find(PipelineHarness.SourceName)!;
        var sources = await Harness.Get<OpsQueries>().SourcesAsync([(PipelineHarness.SourceName, ConfigurationFingerprint.Of(source))], Ct);
        return (long)sources.Value(Assert.Single(sources.Rows), "Under an older configuration")!;
    }

    private Task<string> StateAsync(string path) =>
        Harness.Database.ScalarAsync<string>("select state from orchestrator.file_version where relative_path = $1", path);

    private Task<List<string>> RowsAsync() =>
        Harness.Database.ListAsync("select relative_path from orchestrator.follow_up_result order by 1", r => r.GetString(0));

    /// <summary>blank.txt comes back empty from the source's configuration, then whole from the fallback.</summary>
    private async Task RescuedByTheFallbackAsync()
    {
        Harness.WriteFile("blank.txt", "scanned image, nothing to read");
        await Harness.Admin.SetFaultsAsync(new { empty_results_matching = "blank" });
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        await Harness.Admin.SetFaultsAsync(new { empty_results_matching = "nothing matches this" });
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
    }
}
