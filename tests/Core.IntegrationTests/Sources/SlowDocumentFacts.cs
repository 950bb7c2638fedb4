using Microsoft.Extensions.Logging;

namespace BatchOrchestrator.Core.IntegrationTests.Sources;

/// <summary>
/// A document whose pages cannot be counted in time is a bad file like any other: it is taken with the size estimate and
/// the reason, the scan warns once naming it, and the files beside it go on (docs/costs.md, "Pages").
/// </summary>
public sealed class SlowDocumentFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["Costs:PageCountTimeout"] = "00:00:00.020" });

    [Fact]
    public async Task APdfThatKeepsItsReaderBusyPastTheTimeLimit_IsSentWithTheSizeEstimate_WithOneWarning_AndTheFileBesideIt()
    {
        // 300 bytes claiming 3 million objects: never read within 20 ms, even alone on an idle machine (see HostilePdf).
        File.WriteAllBytes(Path.Combine(Harness.SourcePath, "slow.pdf"), HostilePdf.ClaimingObjects(3_000_000));
        Harness.WriteFile("beside.txt", "an ordinary file");

        await Harness.RunToRecordedAsync(Ct);

        Assert.Equal(
            [("beside.txt", "Succeeded"), ("slow.pdf", "Succeeded")],
            await Harness.Database.ListAsync("select relative_path, state from orchestrator.file_version order by 1", r => (r.GetString(0), r.GetString(1))));
        Assert.Equal(
            "size, 3000 bytes a page (errs high): pdf not counted (not read within the time limit of 00:00:00.0200000)",
            await Harness.Database.ScalarAsync<string>("select pages_basis from orchestrator.file_version where relative_path = 'slow.pdf'"));
        var warning = Assert.Single(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("slow.pdf", StringComparison.Ordinal));
        Assert.Contains("not counted; estimated at 1 by its size: size, 3000 bytes a page (errs high): pdf not counted (not read within the time limit", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhileNoReaderIsFree_EveryDocumentIsEstimatedHigh_WithOneWarningForTheScan()
    {
        var reading = new PageReading(TimeSpan.FromMilliseconds(50), maxLeftRunning: 1);
        using var stuck = new ManualResetEventSlim();
        Assert.Throws<PageReadingException>(() => reading.Read(() => stuck.Wait(TimeSpan.FromSeconds(60))));
        foreach (var name in new[] { "a.pdf", "b.pdf", "c.pdf" })
        {
            // Contents of their own: one content would be one version with copies.
            File.WriteAllBytes(Path.Combine(Harness.SourcePath, name), Enumerable.Repeat((byte)name[0], 120_000).ToArray());
        }

        try
        {
            var scanner = new SourceScanner(Harness.Get<ISourceScanStore>(), TimeProvider.System, Harness.Get<ILogger<SourceScanner>>(), reading);
            await scanner.ScanAsync(Harness.Get<IOptions<SourcesOptions>>().Value.Sources[0], Ct);
        }
        finally
        {
            stuck.Set();
        }

        // 120,000 bytes at 3,000 a page: never the size rule's 3, which a cap would take for a tenth of the bill.
        Assert.Equal(
            [("a.pdf", 40), ("b.pdf", 40), ("c.pdf", 40)],
            await Harness.Database.ListAsync("select relative_path, pages from orchestrator.file_version order by 1", r => (r.GetString(0), r.GetInt32(1))));
        Assert.Single(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("not opened", StringComparison.Ordinal));
    }
}
