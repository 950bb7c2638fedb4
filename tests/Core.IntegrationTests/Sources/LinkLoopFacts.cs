namespace BatchOrchestrator.Core.IntegrationTests.Sources;

/// <summary>
/// With <c>Symlinks: Follow</c>, a folder link that leads to a folder holding the one it is in (its parent, say) is a
/// loop too, one lap longer than a link back to a folder being walked: walked, it took the whole source a second time
/// under another name (sent and billed again with <c>ContentHashAndPath</c> or a mirror), and everything beside the
/// source in that folder, such as another source's files or the results written out.
/// </summary>
public sealed class LinkLoopFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task ScanAsync_FollowingLinks_DoesNotWalkALinkToAFolderThatHoldsTheSource()
    {
        Harness.WriteFile("sub/real.txt", "real");
        File.WriteAllText(Path.Combine(Harness.Root, "beside.txt"), "beside the source, not in it");
        Directory.CreateSymbolicLink(Path.Combine(Harness.SourcePath, "sub", "up"), Harness.Root);
        var source = Harness.Get<IOptions<SourcesOptions>>().Value.Sources[0];
        source.SettleWindow = TimeSpan.Zero;
        source.Symlinks = SymlinkPolicy.Follow;

        var summary = await Harness.Get<SourceScanner>().ScanAsync(source, Ct);

        Assert.Equal((1, 1), (summary.Seen, summary.NewVersions));
        var problems = await Harness.Database.ListAsync(
            "select relative_path, kind, reason from orchestrator.source_file_problem order by relative_path", r => (r.GetString(0), r.GetString(1), r.GetString(2)));
        var (path, kind, reason) = Assert.Single(problems);
        Assert.Equal(("sub/up", "Symlink"), (path, kind));
        Assert.StartsWith("a symbolic link that loops back to", reason, StringComparison.Ordinal);
    }
}
