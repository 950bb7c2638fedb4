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
        var (scanner, source) = ScannerAndSource();
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
        var (scanner, source) = ScannerAndSource();
        await scanner.ScanAsync(source, Ct);
        Directory.Delete(Path.Combine(Harness.SourcePath, "share"), recursive: true);
        Directory.CreateDirectory(Path.Combine(Harness.SourcePath, "share"));

        var error = await Assert.ThrowsAsync<EmptyFolderException>(() => scanner.ScanAsync(source, Ct));

        Assert.Contains("the folder is empty, but 2 files were known in it", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file where deleted_at is not null"));
    }

    [Fact]
    public async Task AnEmptiedSubfolder_KeepsWhatWasKnownUnderIt_AndSaysWhy_WhileTheRestOfTheScanGoesOn()
    {
        // A share mounted at a subfolder of a source that holds other files too: unmounted, only its mount point is left.
        Harness.WriteFile("local.txt", "l");
        Harness.WriteFile("gone.txt", "g");
        Harness.WriteFile("share/a.txt", "a");
        Harness.WriteFile("share/deep/b.txt", "b");
        var (scanner, source) = ScannerAndSource();
        source.GuardEmptiedSubfolders = true;
        await scanner.ScanAsync(source, Ct);
        var mtimes = new[] { "share/a.txt", "share/deep/b.txt" }.ToDictionary(p => p, p => File.GetLastWriteTimeUtc(Path.Combine(Harness.SourcePath, p)));
        File.Delete(Path.Combine(Harness.SourcePath, "gone.txt"));
        Directory.Delete(Path.Combine(Harness.SourcePath, "share"), recursive: true);
        Directory.CreateDirectory(Path.Combine(Harness.SourcePath, "share"));

        var summary = await scanner.ScanAsync(source, Ct);

        Assert.Equal((1, 1), (summary.Seen, summary.Vanished));
        Assert.Equal(
            ["gone.txt"],
            await Harness.Database.ListAsync("select relative_path from orchestrator.source_file where deleted_at is not null", r => r.GetString(0)));
        var (path, kind, reason) = (await Harness.Database.ListAsync(
            "select relative_path, kind, reason from orchestrator.source_file_problem", r => (r.GetString(0), r.GetString(1), r.GetString(2)))).Single();
        Assert.Equal(("share", "EmptiedFolder"), (path, kind));
        Assert.Contains("the folder is empty, but 2 files were known in it; they are kept", reason, StringComparison.Ordinal);

        // Mounted again, nothing is new: the files are the ones known, not taken as gone and back.
        foreach (var (relative, content) in new[] { ("share/a.txt", "a"), ("share/deep/b.txt", "b") })
        {
            File.SetLastWriteTimeUtc(Harness.WriteFile(relative, content), mtimes[relative]);
        }

        var again = await scanner.ScanAsync(source, Ct);
        Assert.Equal((3, 0, 0), (again.Seen, again.NewOrChanged, again.Vanished));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file_problem"));
    }

    [Fact]
    public async Task AnEmptiedSubfolder_IsTakenAsDeleted_WhenTheSourceSaysSo_AndARemovedOneAlways()
    {
        Harness.WriteFile("local.txt", "l");
        Harness.WriteFile("emptied/a.txt", "a");
        Harness.WriteFile("removed/b.txt", "b");
        var (scanner, source) = ScannerAndSource();
        source.GuardEmptiedSubfolders = true;
        await scanner.ScanAsync(source, Ct);
        File.Delete(Path.Combine(Harness.SourcePath, "emptied", "a.txt"));
        Directory.Delete(Path.Combine(Harness.SourcePath, "removed"), recursive: true);

        Assert.Equal(1, (await scanner.ScanAsync(source, Ct)).Vanished);
        source.TreatEmptyFolderAsDeleted = true;
        Assert.Equal(1, (await scanner.ScanAsync(source, Ct)).Vanished);

        Assert.Equal(
            ["emptied/a.txt", "removed/b.txt"],
            await Harness.Database.ListAsync(
                "select relative_path from orchestrator.source_file where deleted_at is not null order by relative_path", r => r.GetString(0)));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file_problem"));
    }

    [Fact]
    public async Task AnEmptiedSubfolder_IsTakenAsDeleted_UnlessTheSourceGuardsThem()
    {
        // A mover drains a folder per customer: by default that is the deletion it is.
        Harness.WriteFile("local.txt", "l");
        Harness.WriteFile("inbox/acme/a.txt", "a");
        var (scanner, source) = ScannerAndSource();
        await scanner.ScanAsync(source, Ct);
        File.Delete(Path.Combine(Harness.SourcePath, "inbox", "acme", "a.txt"));

        Assert.Equal(1, (await scanner.ScanAsync(source, Ct)).Vanished);
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file_problem"));
    }

    [Fact]
    public async Task AFolderWhoseFilesTheSourceNowLeavesOut_IsNotTakenForAnUnmountedShare()
    {
        Harness.WriteFile(".env", "a");
        Harness.WriteFile(".cache/c.txt", "c");
        var (scanner, source) = ScannerAndSource();
        source.IncludeHidden = true;
        Assert.Equal(2, (await scanner.ScanAsync(source, Ct)).Seen);

        source.IncludeHidden = false;
        var summary = await scanner.ScanAsync(source, Ct);

        Assert.Equal((0, 2), (summary.Seen, summary.Vanished));
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file where deleted_at is not null"));
    }

    private (SourceScanner Scanner, SourceOptions Source) ScannerAndSource() =>
        (Harness.Get<SourceScanner>(), Harness.Get<Microsoft.Extensions.Options.IOptions<SourcesOptions>>().Value.Sources[0]);
}
