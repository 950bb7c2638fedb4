using Microsoft.Extensions.Logging.Abstractions;

namespace BatchOrchestrator.Core.IntegrationTests.Sources;

/// <summary>The scan use case on real folders and a real database.</summary>
public sealed class SourceScannerFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task ScanAsync_CreatesAVersionPerDistinctContent_IgnoringTemporaryNames()
    {
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("deep/dir with spaces/résumé ü.txt", "beta");
        Harness.WriteFile("copy-of-a.txt", "alpha");
        Harness.WriteFile("being-copied.pdf.partial", "half");
        Harness.WriteFile("~$lock.docx", "office lock");

        var summary = await ScanAsync(Source());

        Assert.Equal(3, summary.Seen);
        Assert.Equal(2, summary.NewVersions);
        var paths = await Harness.Database.ListAsync("select relative_path from orchestrator.file_version order by relative_path", r => r.GetString(0));
        Assert.Equal(["a.txt", "deep/dir with spaces/résumé ü.txt"], paths);
    }

    [Theory]
    [InlineData(false, new[] { "a/report.pdf" })]
    [InlineData(true, new[] { ".DS_Store", ".git/objects/ab/cdef", "a/._report.pdf", "a/.drafts/old.pdf", "a/report.pdf" })]
    public async Task ScanAsync_LeavesHiddenFilesAndFoldersOut_UnlessTheSourceTakesThem(bool includeHidden, string[] taken)
    {
        Harness.WriteFile(".DS_Store", "finder");
        Harness.WriteFile(".git/objects/ab/cdef", "a git object");
        Harness.WriteFile("a/._report.pdf", "resource fork");
        Harness.WriteFile("a/.drafts/old.pdf", "an old draft");
        Harness.WriteFile("a/report.pdf", "the report");
        var source = Source();
        source.IncludeHidden = includeHidden;

        var summary = await ScanAsync(source);

        Assert.Equal(taken.Length, summary.Seen);
        Assert.Equal(taken, await Harness.Database.ListAsync("select relative_path from orchestrator.file_version order by relative_path", r => r.GetString(0)));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file_problem"));
    }

    [Fact]
    public async Task ScanAsync_HashesNothing_WhenNothingChanged()
    {
        Harness.WriteFiles(20);
        await ScanAsync(Source());

        var again = await ScanAsync(Source());

        Assert.Equal((20, 0, 0, 0), (again.Seen, again.NewOrChanged, again.Hashed, again.NewVersions));
    }

    [Fact]
    public async Task ScanAsync_WaitsForTheSettleWindow_BeforeTakingANewFile()
    {
        Harness.WriteFile("fresh.txt", "still being written");

        var summary = await ScanAsync(Source(settle: TimeSpan.FromHours(1)));

        Assert.Equal((1, 0, 0), (summary.Unsettled, summary.Hashed, summary.NewVersions));
    }

    [Fact]
    public async Task ScanAsync_TakesAChangedFileAsANewVersion_ButNotARenameOfKnownContent()
    {
        var path = Harness.WriteFile("report.txt", "v1");
        await ScanAsync(Source());
        File.WriteAllText(path, "v2 is longer");
        File.Move(Harness.WriteFile("other.txt", "v1"), Path.Combine(Harness.SourcePath, "renamed-v1.txt"));

        var summary = await ScanAsync(Source());

        Assert.Equal(1, summary.NewVersions);
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version"));
    }

    [Fact]
    public async Task ScanAsync_TakesAFolderReplacedByAFileOfItsName_AndAFileReplacedByAFolder_InOneScan()
    {
        // "x" sorts before "x-y", "x.txt" and "x/…" in byte order, and a folder's files after those siblings.
        Harness.WriteFile("x/inner.txt", "in the folder");
        Harness.WriteFile("x-y.txt", "beside it");
        Harness.WriteFile("y", "a file named y");
        await ScanAsync(Source());
        Directory.Delete(Path.Combine(Harness.SourcePath, "x"), recursive: true);
        Harness.WriteFile("x", "now a file named x");
        File.Delete(Path.Combine(Harness.SourcePath, "y"));
        Harness.WriteFile("y/inner.txt", "now in a folder named y");

        var summary = await ScanAsync(Source());

        Assert.Equal((3, 2, 2, 2), (summary.Seen, summary.NewOrChanged, summary.Vanished, summary.NewVersions));
        Assert.Equal(
            ["x", "x-y.txt", "y/inner.txt"],
            await Harness.Database.ListAsync("select relative_path from orchestrator.source_file where deleted_at is null order by relative_path collate \"C\"", r => r.GetString(0)));
    }

    [Theory]
    [InlineData(new[] { "**/*.PDF" }, true)]
    [InlineData(new[] { "**/*.pdf" }, false)]
    [InlineData(new[] { "**/*.PDF", "**/*.pdf" }, false)]
    public async Task ScanAsync_WarnsOnce_WhenThePatternsTookNoneOfTheFilesFound(string[] include, bool warned)
    {
        Harness.WriteFile("scans/a.pdf", "alpha");
        Harness.WriteFile("scans/b.pdf", "beta");
        Harness.WriteFile(".DS_Store", "finder");
        var source = Source();
        source.Include = [.. include];

        var summary = await ScanAsync(source);

        var warnings = Harness.Logs.Lines.Where(l => l.Contains("took none of the", StringComparison.Ordinal)).ToList();
        Assert.Equal(warned ? 1 : 0, warnings.Count);
        Assert.Equal(warned ? 2 : null, summary.LeftOutByPatternsTakingNone); // recorded on the run, for the gauge and Needs a person
        Assert.All(warnings, w => Assert.Contains("Include: '**/*.PDF'; Exclude: none) took none of the 2 files in", w, StringComparison.Ordinal));
        Assert.All(warnings, w => Assert.StartsWith("Warning ", w, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScanAsync_DoesNotWarn_WhenTheFolderHoldsOnlyNamesLeftOutForThemselves()
    {
        Harness.WriteFile(".DS_Store", "finder");
        Harness.WriteFile("upload.pdf.tmp", "half");
        var source = Source();
        source.Include = ["**/*.pdf"];

        await ScanAsync(source);

        Assert.DoesNotContain(Harness.Logs.Lines, l => l.Contains("took none of the", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScanAsync_FailsWithTheFolderNamed_WhenTheFolderIsMissing()
    {
        var source = Source();
        source.Path = Path.Combine(Harness.Root, "not-mounted");

        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => ScanAsync(source));

        Assert.Contains("not-mounted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWriteOfHashesThatFails_FailsTheScanWithItsError_InsteadOfLeavingItWaitingForGood()
    {
        // More files than the scan holds hashed before its writes (a chunk being written and two waiting): with the write
        // failed, the hashing of the rest would wait for room that never comes, and the source stay leased to that scan.
        Harness.WriteFiles(3_200);
        var scanner = new SourceScanner(new FailingHashWrites(Harness.Get<ISourceScanStore>()), TimeProvider.System, NullLogger<SourceScanner>.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => scanner.ScanAsync(Source(), Ct).WaitAsync(TimeSpan.FromMinutes(1), Ct));

        Assert.Equal(FailingHashWrites.Failure, error.Message);
    }

    private sealed class FailingHashWrites(ISourceScanStore inner) : DelegatingScanStore(inner)
    {
        public const string Failure = "the database went away while the hashes were written";

        public override Task<HashesRecorded> RecordHashesAsync(string source, DedupeKey key, RemoteLayout layout, IReadOnlyList<HashedFile> files, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(Failure);
    }

    private SourceOptions Source(TimeSpan? settle = null)
    {
        var source = Harness.Get<IOptions<SourcesOptions>>().Value.Sources[0];
        source.SettleWindow = settle ?? TimeSpan.Zero;
        return source;
    }

    private Task<ScanSummary> ScanAsync(SourceOptions source) => Harness.Get<SourceScanner>().ScanAsync(source, Ct);
}
