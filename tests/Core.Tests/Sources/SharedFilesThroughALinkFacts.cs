using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Tests.Sources;

/// <summary>
/// Two sources whose folders are one and the same only once a link is followed scan the same files as surely as two written
/// alike: each file is sent, and billed, once for each. The start-up warning and <c>config check</c> name them too.
/// </summary>
public sealed class SharedFilesThroughALinkFacts : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("bo-shared-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void ASourceWhosePathIsALinkToAnotherSourcesFolder_IsNamedWithIt()
    {
        var share = Directory.CreateDirectory(Path.Combine(root, "share")).FullName;
        var inner = Directory.CreateDirectory(Path.Combine(share, "invoices")).FullName;
        var link = Path.Combine(root, "docs");
        Directory.CreateSymbolicLink(link, share);
        Directory.CreateDirectory(Path.Combine(root, "other"));
        SourceOptions[] sources =
        [
            new() { Name = "docs", Path = link },
            new() { Name = "invoices", Path = inner },
            new() { Name = "other", Path = Path.Combine(root, "other") },
            new() { Name = "remote", Path = "" },
        ];

        Assert.Equal(
            [$"Sources:0 (docs) and Sources:1 (invoices) both scan '{inner}' (one of them through a link): a file both take is sent, and billed, once for each source, unless their Include/Exclude keep them apart"],
            SourceNotices.SharedFiles(sources));
    }
}
