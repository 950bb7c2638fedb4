using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchOrchestrator.Core.IntegrationTests.Sources;

/// <summary>
/// A file is taken only when its size and mtime are unchanged across two looks at least the settle
/// window apart. The scan's clock is driven by hand; the files and the database are real.
/// </summary>
public sealed class SettleFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private readonly ManualClock clock = new(new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task AFileStillBeingWritten_IsTakenOnlyOnceItStoppedChangingForTheWindow_WithItsFinalContent()
    {
        var path = Harness.WriteFile("growing.log", "first block\n");
        var seenWhileWriting = await ScanAsync(); // look 1

        clock.Advance(Window + TimeSpan.FromSeconds(1));
        File.AppendAllText(path, "second block\n"); // appended to between the looks
        var afterAppend = await ScanAsync();

        clock.Advance(Window + TimeSpan.FromSeconds(1));
        File.WriteAllText(path, "rewritten from scratch, a different length\n"); // truncated and rewritten
        var afterRewrite = await ScanAsync();

        clock.Advance(Window - TimeSpan.FromSeconds(1));
        var tooSoon = await ScanAsync(); // unchanged, but not yet a window since the last change

        clock.Advance(TimeSpan.FromSeconds(2));
        var settled = await ScanAsync();

        Assert.Equal([0, 0, 0, 0, 1], new[] { seenWhileWriting, afterAppend, afterRewrite, tooSoon, settled }.Select(s => s.NewVersions));
        Assert.Equal([1, 1, 1, 1, 0], new[] { seenWhileWriting, afterAppend, afterRewrite, tooSoon, settled }.Select(s => s.Unsettled));
        var stored = await Harness.Database.ScalarAsync<byte[]>("select sha256 from orchestrator.file_version");
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(path)), stored);
    }

    [Fact]
    public async Task AFileThatKeepsChanging_IsSetAsideAsStillBeingWritten_SinceItsSecondLook_UntilItSettles()
    {
        // A log or a database file in the source changes at every look: never taken, it must at least be named, with since when.
        Harness.WriteFile("steady.txt", "written once");
        var path = Harness.WriteFile("app.log", "line 1\n");
        var first = await ScanAsync(); // a new file is no problem yet: most are written once
        var since = clock.GetUtcNow() + Window + TimeSpan.FromSeconds(1);
        var changing = new List<int>();
        foreach (var line in new[] { 2, 3 })
        {
            clock.Advance(Window + TimeSpan.FromSeconds(1));
            File.AppendAllText(path, $"line {line}\n");
            changing.Add((await ScanAsync()).StillChanging); // counted apart: the next look at it alone may wait longer (SettleRun)
        }

        var problem = await Harness.Database.ListAsync(
            "select relative_path, kind, reason, first_seen_at from orchestrator.source_file_problem",
            r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3)));
        clock.Advance(Window + TimeSpan.FromSeconds(1));
        var settled = await ScanAsync();

        Assert.Equal((0, 0, 2), (first.Problems, first.StillChanging, first.Unsettled));
        Assert.Equal([1, 1], changing);
        Assert.Equal(
            [("app.log", "StillChanging", "still being written: it changed again since the last look, and is taken once unchanged for 00:00:10 (SettleWindow)", since)],
            problem);
        Assert.Equal((0, 1), (settled.Problems, settled.NewVersions));
    }

    [Fact]
    public async Task AFileReachedLateInALongWalk_CountsItsWindowFromThatLook_NotFromTheWalksStart()
    {
        // A slow share: the walk reaches the file, a copy that has stalled, 30 s after it began.
        Harness.WriteFile("copy-in-progress.bin", "the first part of a copy that stalls");
        await ScanAsync(new ReachedLate(Harness.Get<ISourceScanStore>(), clock, TimeSpan.FromSeconds(30)));

        clock.Advance(TimeSpan.FromSeconds(5)); // the next scan: 35 s after the first began, 5 s after its look at the file
        var tooSoon = await ScanAsync();
        clock.Advance(Window);
        var settled = await ScanAsync();

        Assert.Equal((0, 1), (tooSoon.NewVersions, tooSoon.Unsettled));
        Assert.Equal(1, settled.NewVersions);
    }

    [Fact]
    public async Task AFileRewrittenBeforeItsUpload_IsNotTakenForOneThatNeverStopsChanging_OnceTheUploadSkippedIt()
    {
        // The upload step skips a version whose file changed and voids the path's look, so that the next scan takes the path as
        // changed. A look voided while the new content settled read as a second change before settling: a file edited once
        // was named as still being written, and its next look pushed minutes away.
        var path = Harness.WriteFile("report.docx", "draft");
        await ScanAsync();
        clock.Advance(Window + TimeSpan.FromSeconds(1));
        await ScanAsync();
        var batch = await Harness.PlanOneBatchAsync(Ct);
        File.WriteAllText(path, "the final text, saved before the upload");
        clock.Advance(Window + TimeSpan.FromSeconds(1));
        var rewritten = await ScanAsync(); // the new content's first look: settling

        await Harness.Get<BatchUploader>().UploadAsync(batch, Ct);
        clock.Advance(Window + TimeSpan.FromSeconds(1));
        var afterSkip = await ScanAsync();
        clock.Advance(Window + TimeSpan.FromSeconds(1));
        var settled = await ScanAsync();

        Assert.Equal("Skipped", await Harness.Database.ScalarAsync<string>("select state from orchestrator.file_version where batch_id = $1", batch));
        Assert.Equal((0, 1), (rewritten.StillChanging, rewritten.Unsettled));
        Assert.Equal((0, 0, 1), (afterSkip.StillChanging, afterSkip.Problems, afterSkip.Unsettled));
        Assert.Empty(await Harness.Database.ListAsync("select kind from orchestrator.source_file_problem", r => r.GetString(0)));
        Assert.Equal(1, settled.NewVersions);
    }

    private Task<ScanSummary> ScanAsync(ISourceScanStore? store = null)
    {
        var source = Harness.Get<IOptions<SourcesOptions>>().Value.Sources[0];
        source.SettleWindow = Window;
        return new SourceScanner(store ?? Harness.Get<ISourceScanStore>(), clock, NullLogger<SourceScanner>.Instance).ScanAsync(source, Ct);
    }

    /// <summary>Moves the clock on by <paramref name="perFile"/> as the walk reaches each new or changed file.</summary>
    private sealed class ReachedLate(ISourceScanStore inner, ManualClock clock, TimeSpan perFile) : DelegatingScanStore(inner)
    {
        public override IScanDiffWriter BeginDiff(string source, DateTimeOffset scanTime) => new Diff(Inner.BeginDiff(source, scanTime), clock, perFile);

        private sealed class Diff(IScanDiffWriter inner, ManualClock clock, TimeSpan perFile) : IScanDiffWriter
        {
            public ValueTask UpsertAsync(FileObservation observation, CancellationToken cancellationToken)
            {
                clock.Advance(perFile);
                return inner.UpsertAsync(observation, cancellationToken);
            }

            public ValueTask VanishedAsync(string relativePath, CancellationToken cancellationToken) => inner.VanishedAsync(relativePath, cancellationToken);

            public Task CommitAsync(DateTimeOffset lookedAt, CancellationToken cancellationToken) => inner.CommitAsync(lookedAt, cancellationToken);

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
