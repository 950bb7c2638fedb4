using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Core.IntegrationTests.Operations;

/// <summary>
/// After a source's configuration changed, files processed under the old one are sent again only when an
/// operator asks, only those selected, through new batches of the normal pipeline.
/// </summary>
public sealed class ReprocessingFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private const string Old = "parse_v2 cfg-PARSE_AGENTIC";
    private const string New = "parse_v2 cfg-PARSE_FAST";

    private Reprocessing Reprocessing => Harness.Get<Reprocessing>();

    // cfg-PARSE_FAST is a preset no source documents: the Sandbox refuses it unless told to accept it.
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(server, sandboxOptions: new SandboxOptions { Guesses = { AcceptUndocumentedPresets = true } });

    [Fact]
    public async Task Reprocess_SendsOnlyTheSelectedFilesAgain_InNewBatchesUnderTheNewConfiguration_AndNothingBeforeItIsAsked()
    {
        Harness.WriteFile("invoices/a.md", "a");
        Harness.WriteFile("invoices/b.md", "b");
        Harness.WriteFile("letters/c.md", "c");
        Harness.WriteFile("letters/d.md", "d");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        Source.ConfigurationId = "cfg-PARSE_FAST";
        File.Delete(Path.Combine(Harness.SourcePath, "letters", "d.md"));
        await Harness.RunToRecordedAsync(Ct); // the scan sees d.md gone; nothing is sent again by itself

        var all = await Reprocessing.PreviewAsync(PipelineHarness.SourceName, ReprocessFilter.All, Ct);
        var invoices = await Reprocessing.PreviewAsync(PipelineHarness.SourceName, ReprocessFilter.Parse("invoices/**", null), Ct);
        Assert.Equal((New, 4, 4, 3), (all.CurrentFingerprint, all.ProcessedUnder[Old], all.Selected, all.Sendable)); // d.md is gone
        Assert.Equal((2, 2), (invoices.Selected, invoices.Sendable));
        // Two one-page files (unreadable as PDFs: one page each by the estimate); cfg-PARSE_FAST is not a documented
        // preset and the Sandbox has no saved configuration of that id, so its tier is unknown and priced at the dearest.
        Assert.Equal("about 90 credits (USD 0.11; 2 pages at the unknown tier of cfg-PARSE_FAST)", invoices.Cost);
        Assert.Equal(1, (await Harness.Admin.CountersAsync()).BatchCreatesTotal);

        var (_, queued) = await Reprocessing.ReprocessAsync(PipelineHarness.SourceName, ReprocessFilter.Parse("invoices/**", null), atMost: 2, Ct);
        Assert.Equal(2, queued);
        Assert.Contains(Harness.Scheduler.Calls, c => c == ("run", $"{PipelineHarness.SourceName}:Manual"));
        var batches = await Harness.RunToRecordedAsync(Ct);

        var batch = Assert.Single(batches);
        Assert.Equal(New, await Harness.Database.ScalarAsync<string>("select configuration_fingerprint from orchestrator.batch where id = $1", batch));
        Assert.Equal(
            ["invoices/a.md", "invoices/b.md"],
            await Harness.Database.ListAsync("select relative_path from orchestrator.file_version where batch_id = $1 and state = 'Succeeded' and job_id is not null order by 1", r => r.GetString(0), batch));
        // Each sent file keeps its first job reference in its history, beside the new one.
        Assert.Equal(4L, await Harness.Database.ScalarAsync<long>(
            "select count(*) from orchestrator.batch_result r join orchestrator.file_version v on v.id = r.file_version_id where v.relative_path like 'invoices/%' and r.job_id is not null"));
        var counters = await Harness.Admin.CountersAsync();
        Assert.Equal((2, 6), (counters.BatchCreatesTotal, counters.UploadsTotal));
        var after = await Reprocessing.PreviewAsync(PipelineHarness.SourceName, ReprocessFilter.All, Ct);
        Assert.Equal((2, 1), (after.ProcessedUnder[Old], after.Sendable)); // the letters are left, c.md sendable
    }

    [Fact]
    public async Task Reprocess_RefusesASelectionLargerThanThePreviewSaid_AndAMirrorSourceIsSentWholeByItsNextBatch()
    {
        Harness.WriteFiles(3);
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        Source.ConfigurationId = "cfg-PARSE_FAST";

        var (grown, queued) = await Reprocessing.ReprocessAsync(PipelineHarness.SourceName, ReprocessFilter.All, atMost: 2, Ct);
        Assert.Equal(0, queued);
        Assert.Contains("grew from 2 to 3", grown.RefusedBecause, StringComparison.Ordinal);
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state <> 'Succeeded'"));
        await Assert.ThrowsAsync<ArgumentException>(() => Reprocessing.PreviewAsync("nope", ReprocessFilter.All, Ct));
        Assert.Throws<ArgumentException>(() => ReprocessFilter.Parse("../outside/**", null));
        Assert.Throws<ArgumentException>(() => ReprocessFilter.Parse(null, "last tuesday"));

        Source.Layout = RemoteLayout.Mirror;
        var mirror = await Reprocessing.ReprocessAsync(PipelineHarness.SourceName, ReprocessFilter.All, atMost: 3, Ct);
        Assert.Equal(0, mirror.Queued);
        Assert.Contains("whenever a run finds a new or changed file, so its next batch already uses", mirror.Preview.RefusedBecause, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reprocess_SendsAV1ParseSourcesFilesAgainAtTheTierItNowAsksFor_ItsTierBeingPartOfItsConfiguration()
    {
        Source.JobType = BatchJobTypes.V1Parse;
        Source.V1ParseTier = "fast";
        Harness.WriteFiles(2);
        var first = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        await Harness.FollowUpAllAsync([first], Ct);
        Assert.Empty((await Reprocessing.PreviewAsync(PipelineHarness.SourceName, ReprocessFilter.All, Ct)).ProcessedUnder);

        Source.V1ParseTier = "agentic_plus";
        var preview = await Reprocessing.PreviewAsync(PipelineHarness.SourceName, ReprocessFilter.All, Ct);
        Assert.Equal(("v1_parse agentic_plus", 2, 2), (preview.CurrentFingerprint, preview.ProcessedUnder["v1_parse fast"], preview.Sendable));
        Assert.Equal(2L, await UnderAnOlderConfigurationAsync()); // as status and the Sources page count them

        var (_, queued) = await Reprocessing.ReprocessAsync(PipelineHarness.SourceName, ReprocessFilter.All, atMost: 2, Ct);
        Assert.Equal(2, queued);
        var again = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        await Harness.FollowUpAllAsync([again], Ct);

        Assert.Equal("v1_parse agentic_plus", await Harness.Database.ScalarAsync<string>("select configuration_fingerprint from orchestrator.batch where id = $1", again));
        // Each job was sent at the tier its batch asked for: the Sandbox bills a v1 parse job at the tier it names.
        Assert.Equal(
            [("fast", 2L), ("agentic_plus", 2L)],
            await Harness.Database.ListAsync(
                "select billed_tier, count(*) from orchestrator.credit_charge where batch_id = any($1) group by batch_id, billed_tier order by batch_id",
                r => (r.GetString(0), r.GetInt64(1)), new[] { first, again }));
        Assert.Empty((await Reprocessing.PreviewAsync(PipelineHarness.SourceName, ReprocessFilter.All, Ct)).ProcessedUnder);
        Assert.Equal(0L, await UnderAnOlderConfigurationAsync());
    }

    [Fact]
    public async Task Reprocess_SendsAFileRenamedSinceItWasProcessed_FromItsNewName()
    {
        // With DedupeKey ContentHash the new name is a copy of the version, whose own path is gone: the content is
        // still in the folder, and the reprocessing sends it from there, as the scan revives a skipped version.
        Harness.WriteFile("a.md", "a");
        Harness.WriteFile("b.md", "b");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        File.Move(Path.Combine(Harness.SourcePath, "a.md"), Path.Combine(Harness.SourcePath, "renamed.md"));
        Source.ConfigurationId = "cfg-PARSE_FAST";
        Assert.Empty(await Harness.PlanAsync(Ct));

        var preview = await Reprocessing.PreviewAsync(PipelineHarness.SourceName, ReprocessFilter.All, Ct);
        Assert.Equal((2, 2), (preview.Selected, preview.Sendable));
        var byNewName = await Reprocessing.PreviewAsync(PipelineHarness.SourceName, ReprocessFilter.Parse("renamed.md", null), Ct);
        Assert.Equal((1, 1), (byNewName.Selected, byNewName.Sendable)); // a filter selects it by the name it is sent from
        Assert.Equal(2, (await Reprocessing.ReprocessAsync(PipelineHarness.SourceName, ReprocessFilter.All, atMost: 2, Ct)).Queued);
        var again = Assert.Single(await Harness.RunToRecordedAsync(Ct));

        Assert.Equal(
            [("b.md", "Succeeded"), ("renamed.md", "Succeeded")],
            await Harness.Database.ListAsync(
                "select relative_path, state from orchestrator.file_version where batch_id = $1 order by 1", r => (r.GetString(0), r.GetString(1)), again));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_copy"));
        Assert.Equal(4, (await Harness.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task Reprocess_AskedTwiceForTheSamePreview_RefusesTheSecond_InsteadOfAnsweringThatItQueuedNoneAndARun()
    {
        // Two shells, or the dashboard's button pressed twice: both saw "can be sent again: 2". The second found them
        // already queued, and answered "0 files ... are queued again; a run of docs is queued" with exit 0, queuing none.
        Harness.WriteFiles(2);
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        Source.ConfigurationId = "cfg-PARSE_FAST";
        Assert.Equal(2, (await Reprocessing.PreviewAsync(PipelineHarness.SourceName, ReprocessFilter.All, Ct)).Sendable);
        var runsBefore = Harness.Scheduler.Calls.Count(c => c.Step == "run");

        var first = await Reprocessing.ReprocessAsync(PipelineHarness.SourceName, ReprocessFilter.All, atMost: 2, Ct);
        var second = await Reprocessing.ReprocessAsync(PipelineHarness.SourceName, ReprocessFilter.All, atMost: 2, Ct);

        Assert.Equal((2, null), (first.Queued, first.Preview.RefusedBecause));
        Assert.Equal(0, second.Queued);
        Assert.StartsWith("none of the 2 files the preview selected can be sent now", second.Preview.RefusedBecause, StringComparison.Ordinal);
        Assert.Equal(runsBefore + 1, Harness.Scheduler.Calls.Count(c => c.Step == "run"));
    }

    private async Task<long> UnderAnOlderConfigurationAsync()
    {
        var sources = await Harness.Get<OpsQueries>().SourcesAsync([(PipelineHarness.SourceName, ConfigurationFingerprint.Of(Source))], Ct);
        return (long)sources.Value(Assert.Single(sources.Rows), "Under an older configuration")!;
    }

    private SourceOptions Source => Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Find(PipelineHarness.SourceName)!;
}
