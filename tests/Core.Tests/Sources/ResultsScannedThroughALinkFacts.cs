namespace BatchOrchestrator.Core.Tests.Sources;

/// <summary>
/// Results written where a source scans them come back as new files, sent and billed without end: refused at start-up
/// also where a link puts the one inside the other while their paths, as written, never nest.
/// </summary>
public sealed class ResultsScannedThroughALinkFacts : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("bo-validator-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ResultsWrittenWhereASourceScansThemThroughALink_AreRefusedToo(bool sourceIsTheLink)
    {
        // The share and a link to it: the source scans one name, the results go to the other, and the paths never nest as written.
        var share = Path.Combine(folder, "share");
        var link = Path.Combine(folder, "link");
        Directory.CreateDirectory(share);
        Directory.CreateSymbolicLink(link, share);
        var (scanned, written) = sourceIsTheLink ? (link, share) : (share, link);
        var settings = new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "docs",
            ["Sources:0:Path"] = scanned,
            ["FollowUp:OutputPath"] = Path.Combine(written, "results"),
        };

        var failure = Assert.Single(StartupChecks.Failures(settings));

        Assert.StartsWith($"FollowUp:OutputPath: source docs's results would be written to '{Path.Combine(written, "results", "docs")}', inside Sources:0:Path '{scanned}'", failure, StringComparison.Ordinal);
        settings["Sources:0:Exclude:0"] = "results/**"; // named as the scan sees them
        Assert.Empty(StartupChecks.Failures(settings));
    }

    [Theory]
    [InlineData("out", "out/**")]
    [InlineData(".out", null)] // hidden: the scan never enters it
    public void AResultsLinkIntoTheSourcesFolder_IsJudgedByWhereItLeads(string target, string? exclude)
    {
        var docs = Path.Combine(folder, "docs");
        Directory.CreateDirectory(Path.Combine(docs, target));
        var results = Path.Combine(folder, "results");
        Directory.CreateSymbolicLink(results, Path.Combine(docs, target));
        var settings = new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "docs",
            ["Sources:0:Path"] = docs,
            ["FollowUp:OutputPath"] = results,
        };

        if (exclude is null)
        {
            Assert.Empty(StartupChecks.Failures(settings));
            return;
        }

        Assert.StartsWith("FollowUp:OutputPath: source docs's results would be written to", Assert.Single(StartupChecks.Failures(settings)), StringComparison.Ordinal);
        settings["Sources:0:Exclude:0"] = "results/**"; // the link's name, which the scan never sees
        Assert.Single(StartupChecks.Failures(settings));
        settings["Sources:0:Exclude:0"] = exclude;
        Assert.Empty(StartupChecks.Failures(settings));
    }
}
