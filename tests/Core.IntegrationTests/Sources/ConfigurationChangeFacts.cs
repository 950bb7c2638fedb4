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

    [Fact]
    public async Task ExcludeNarrowed_AKnownFileLeftOutCountsAsDeleted_KeepsItsOutput_AndWidenedAgainIsNotSentAgain()
    {
        Harness.WriteFile("keep.md", "kept");
        Harness.WriteFile("drafts/a.md", "a draft");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        Source.Exclude = ["drafts/**"];
        Assert.Empty(await Harness.PlanAsync(Ct));
        Assert.True(await Harness.Database.ScalarAsync<bool>("select deleted_at is not null from orchestrator.source_file where relative_path = 'drafts/a.md'"));
        Assert.True(File.Exists(Path.Combine(Harness.Root, "output", PipelineHarness.SourceName, "drafts", "a.md.md")));

        Source.Exclude = [];
        Assert.Empty(await Harness.PlanAsync(Ct));
        Assert.True(await Harness.Database.ScalarAsync<bool>("select deleted_at is null from orchestrator.source_file where relative_path = 'drafts/a.md'"));
        Assert.Equal(2, (await Harness.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task MirrorIncludeNarrowed_RemovesTheRemoteCopy_AndWidenedAgain_UploadsItAndBatchesTheMirrorAgain()
    {
        Source.Layout = RemoteLayout.Mirror;
        Harness.WriteFile("keep.md", "kept");
        Harness.WriteFile("drafts/a.md", "a draft");
        await Harness.RunToRecordedAsync(Ct);

        Source.Exclude = ["drafts/**"];
        // A batch of no file: its upload step deletes the copy, and it ends there, submitting nothing.
        await Harness.Get<BatchUploader>().UploadAsync(await Harness.PlanOneBatchAsync(Ct), Ct);
        Assert.True(await Harness.Database.ScalarAsync<bool>("select remote_deleted_at is not null from orchestrator.file_version where relative_path = 'drafts/a.md'"));

        Source.Exclude = [];
        Assert.Single(await Harness.RunToRecordedAsync(Ct));
        var counters = await Harness.Admin.CountersAsync();
        Assert.Equal((3, 2), (counters.UploadsTotal, counters.BatchCreatesTotal)); // the mirror's second batch parses both again
    }

    [Theory]
    [InlineData(DedupeKey.ContentHash)]
    [InlineData(DedupeKey.ContentHashAndPath)]
    public async Task PathMovedToAnotherFolderHoldingTheSameFiles_NothingIsSentAgain_ThoughTheirMtimesDiffer(DedupeKey key)
    {
        Source.DedupeKey = key;
        Harness.WriteFile("a.md", "a");
        Harness.WriteFile("sub/b.md", "b");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        // Another mount with the same tree, copied without keeping mtimes (cp -r): every file is hashed again.
        var moved = Path.Combine(Harness.Root, "moved");
        Directory.CreateDirectory(Path.Combine(moved, "sub"));
        File.WriteAllText(Path.Combine(moved, "a.md"), "a");
        File.WriteAllText(Path.Combine(moved, "sub", "b.md"), "b");
        File.SetLastWriteTimeUtc(Path.Combine(moved, "a.md"), DateTime.UtcNow.AddHours(1));
        Source.Path = moved;

        Assert.Empty(await Harness.PlanAsync(Ct));
        Assert.Equal(2, (await Harness.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task SourceRenamed_SamePath_ItsFilesAreSentAgainUnderTheNewName_AsDocumented()
    {
        Harness.WriteFile("a.md", "a");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        Source.Name = "renamed";

        Assert.Single(await Harness.PlanAsync(Ct, "renamed")); // a source is its Name: the new one knows none of its files
    }

    [Fact]
    public async Task LayoutSwitchedToMirror_TheMirrorHoldsOnlyFilesNewOrChangedSince_UntilTheOthersAreTouched_AsDocumented()
    {
        Harness.WriteFile("a.md", "a");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        Source.Layout = RemoteLayout.Mirror;
        Harness.WriteFile("b.md", "b");
        var first = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        Assert.Equal(["b.md"], await PathsInAsync(first)); // a.md, processed before the switch, is not in the mirror

        // Touched, a.md is hashed under the mirror's key (content and path): a new version, and in the mirror.
        var a = Path.Combine(Harness.SourcePath, "a.md");
        File.SetLastWriteTimeUtc(a, File.GetLastWriteTimeUtc(a).AddMinutes(1));
        var second = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        Assert.Equal(["a.md", "b.md"], await PathsInAsync(second));
    }

    [Fact]
    public async Task SymlinksSwitchedOff_AFollowedLinkCountsAsDeleted_AndOnAgain_IsNotSentAgain()
    {
        Source.Symlinks = SymlinkPolicy.Follow;
        var target = Path.Combine(Harness.Root, "elsewhere.md");
        File.WriteAllText(target, "linked");
        File.CreateSymbolicLink(Path.Combine(Harness.SourcePath, "link.md"), target);
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        Source.Symlinks = SymlinkPolicy.Skip;
        Assert.Empty(await Harness.PlanAsync(Ct));
        Assert.True(await Harness.Database.ScalarAsync<bool>("select deleted_at is not null from orchestrator.source_file where relative_path = 'link.md'"));
        Source.Symlinks = SymlinkPolicy.Follow;
        Assert.Empty(await Harness.PlanAsync(Ct));
        Assert.Equal(1, (await Harness.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task IncludeHiddenOff_AKnownFileLeftOutCountsAsDeleted_MaxFileBytesLowered_ItIsSetAsideAndKept_AndBackNeitherIsSentAgain()
    {
        Source.IncludeHidden = true;
        Harness.WriteFile("large.md", new string('x', 100));
        Harness.WriteFile(".hidden.md", "hidden");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        (Source.MaxFileBytes, Source.IncludeHidden) = (10, false);
        Assert.Empty(await Harness.PlanAsync(Ct));
        Assert.Equal(
            [(".hidden.md", true), ("large.md", false)],
            await Harness.Database.ListAsync("select relative_path, deleted_at is not null from orchestrator.source_file order by 1", r => (r.GetString(0), r.GetBoolean(1))));
        Assert.Equal("TooLarge", await Harness.Database.ScalarAsync<string>("select kind from orchestrator.source_file_problem where relative_path = 'large.md'"));

        (Source.MaxFileBytes, Source.IncludeHidden) = (null, true);
        Assert.Empty(await Harness.PlanAsync(Ct));
        Assert.Equal(2, (await Harness.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task LayoutSwitchedFromMirrorToPerRunAndBack_NothingProcessedIsSentAgainByTheSwitch()
    {
        Source.Layout = RemoteLayout.Mirror;
        Harness.WriteFile("a.md", "a");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        Source.Layout = RemoteLayout.PerRun;
        Harness.WriteFile("b.md", "b");
        Assert.Equal(["b.md"], await PathsInAsync(Assert.Single(await Harness.RunToRecordedAsync(Ct))));

        Source.Layout = RemoteLayout.Mirror;
        Harness.WriteFile("c.md", "c");
        var mirror = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        Assert.Equal(["a.md", "c.md"], await PathsInAsync(mirror)); // b.md, processed under PerRun, is not in the mirror
        Assert.Equal(3, (await Harness.Admin.CountersAsync()).UploadsTotal);
    }

    private Task<List<string>> PathsInAsync(long batch) =>
        Harness.Database.ListAsync("select relative_path from orchestrator.file_version where batch_id = $1 order by 1", r => r.GetString(0), batch);
}
