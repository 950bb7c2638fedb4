namespace BatchOrchestrator.Core.IntegrationTests.Sources;

/// <summary>
/// A source's configuration changed between runs, as users change it over months: content already processed is
/// not sent or billed again unless something asked for it, and no file the source now takes is left out.
/// </summary>
public sealed class ConfigurationChangeFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private SourceOptions Source => Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Find(PipelineHarness.SourceName)!;

    [Fact]
    public async Task DedupeKeySwitchedToContentHash_ACopyOfContentProcessedBefore_IsNotSentAgain()
    {
        Source.DedupeKey = DedupeKey.ContentHashAndPath;
        Harness.WriteFile("a.md", "# Report\nfigures");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        Source.DedupeKey = DedupeKey.ContentHash;
        File.Copy(Path.Combine(Harness.SourcePath, "a.md"), Path.Combine(Harness.SourcePath, "b.md"));

        Assert.Empty(await Harness.PlanAsync(Ct));
        Assert.Equal(1, (await Harness.Admin.CountersAsync()).UploadsTotal);
        // b.md is on the record as a copy of a.md's version, and given its result.
        Assert.Equal(
            [("b.md", "a.md")],
            await Harness.Database.ListAsync(
                "select c.relative_path, v.relative_path from orchestrator.file_copy c join orchestrator.file_version v on v.id = c.file_version_id",
                r => (r.GetString(0), r.GetString(1))));
        await Harness.Get<FollowUpProcessor>().FollowUpAsync(await Harness.Database.ScalarAsync<long>("select max(id) from orchestrator.batch"), Ct);
        Assert.True(File.Exists(Path.Combine(Harness.Root, "output", PipelineHarness.SourceName, "b.md.md")));
    }

    [Fact]
    public async Task DedupeKeySwitchedToContentHash_AFileTouchedWithItsContentUnchanged_IsNotSentAgain()
    {
        Source.DedupeKey = DedupeKey.ContentHashAndPath;
        var path = Harness.WriteFile("a.md", "# Report\nfigures");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        Source.DedupeKey = DedupeKey.ContentHash;
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddMinutes(1));

        Assert.Empty(await Harness.PlanAsync(Ct));
        Assert.Equal(1, (await Harness.Admin.CountersAsync()).UploadsTotal);
        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version"));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_copy"));
    }

    [Fact]
    public async Task DedupeKeySwitchedToContentHashAndPath_AFileTouchedLater_IsSentOnceMore_AsDocumented()
    {
        // Its version is keyed by its content alone; under the new key its path makes the key: a new version, once.
        var path = Harness.WriteFile("a.md", "# Report\nfigures");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        Source.DedupeKey = DedupeKey.ContentHashAndPath;
        Assert.Empty(await Harness.PlanAsync(Ct)); // unchanged files are not hashed again: nothing is sent by the switch
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddMinutes(1));

        Assert.Single(await Harness.PlanAsync(Ct));
    }
}
