namespace BatchOrchestrator.Core.IntegrationTests.Sources;

/// <summary>An emptied folder (an unmounted share looks like one) is not taken as the deletion of everything it held.</summary>
public sealed class EmptyFolderGuardFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task ARunThatFindsTheFolderEmpty_FailsWithAReason_AndMarksNothingDeleted()
    {
        Harness.WriteFiles(3);
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        foreach (var file in Directory.EnumerateFiles(Harness.SourcePath))
        {
            File.Delete(file);
        }

        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);

        var (state, error) = (await Harness.Database.ListAsync(
            "select state, error from orchestrator.run order by id desc limit 1", r => (r.GetString(0), r.GetString(1)))).Single();
        Assert.Equal("Failed", state);
        Assert.Contains("the folder is empty, but 3 files were known in it", error, StringComparison.Ordinal);
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file where deleted_at is not null"));
    }

    [Fact]
    public async Task AnEmptiedFolder_IsTakenAsDeleted_WhenTheSourceSaysSo()
    {
        Harness.WriteFiles(3);
        var scanner = Harness.Get<SourceScanner>();
        var source = Harness.Get<Microsoft.Extensions.Options.IOptions<SourcesOptions>>().Value.Sources[0];
        await scanner.ScanAsync(source, Ct);
        foreach (var file in Directory.EnumerateFiles(Harness.SourcePath))
        {
            File.Delete(file);
        }

        source.TreatEmptyFolderAsDeleted = true;
        var summary = await scanner.ScanAsync(source, Ct);

        Assert.Equal(3, summary.Vanished);
        Assert.Equal(3L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file where deleted_at is not null"));
    }

    [Fact]
    public async Task AShareMountedAtASubfolder_FoundEmpty_IsNotTakenAsTheDeletionOfItsFiles()
    {
        // Unmounted, the share leaves its mount point: an empty folder, which holds nothing the source leaves out.
        Harness.WriteFile("share/a.txt", "a");
        Harness.WriteFile("share/deep/b.txt", "b");
        var scanner = Harness.Get<SourceScanner>();
        var source = Harness.Get<Microsoft.Extensions.Options.IOptions<SourcesOptions>>().Value.Sources[0];
        await scanner.ScanAsync(source, Ct);
        Directory.Delete(Path.Combine(Harness.SourcePath, "share"), recursive: true);
        Directory.CreateDirectory(Path.Combine(Harness.SourcePath, "share"));

        var error = await Assert.ThrowsAsync<EmptyFolderException>(() => scanner.ScanAsync(source, Ct));

        Assert.Contains("the folder is empty, but 2 files were known in it", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file where deleted_at is not null"));
    }

    [Fact]
    public async Task AFolderWhoseFilesTheSourceNowLeavesOut_IsNotTakenForAnUnmountedShare()
    {
        Harness.WriteFile(".env", "a");
        Harness.WriteFile(".cache/c.txt", "c");
        var scanner = Harness.Get<SourceScanner>();
        var source = Harness.Get<Microsoft.Extensions.Options.IOptions<SourcesOptions>>().Value.Sources[0];
        source.IncludeHidden = true;
        Assert.Equal(2, (await scanner.ScanAsync(source, Ct)).Seen);

        source.IncludeHidden = false;
        var summary = await scanner.ScanAsync(source, Ct);

        Assert.Equal((0, 2), (summary.Seen, summary.Vanished));
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file where deleted_at is not null"));
    }
}
