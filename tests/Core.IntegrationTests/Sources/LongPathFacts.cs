using System.Security.Cryptography;
using System.Text;

namespace BatchOrchestrator.Core.IntegrationTests.Sources;

/// <summary>
/// A path as long as Linux allows (PATH_MAX, 4,096 bytes, for the whole path) is longer than PostgreSQL can key: an index
/// entry holds at most about 2,700 bytes, and the stored looks, versions and copies are keyed by the relative path. One
/// such file must not stop the scan of every other file of its source (docs/sources.md, "Odd files get a reason").
/// </summary>
public sealed class LongPathFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task ScanAsync_SetsAsideAPathTooLongToRecord_AndTakesTheOtherFiles()
    {
        Harness.WriteFile("ok.txt", "an ordinary file");
        // Random names, so that PostgreSQL cannot compress the key below its limit: 14 folders of 200 bytes.
        var folders = Enumerable.Range(0, 14).Select(_ => Convert.ToHexString(RandomNumberGenerator.GetBytes(100)).ToLowerInvariant()).ToList();
        var deep = string.Join('/', folders);
        Harness.WriteFile(deep + "/deep.txt", "too deep to be keyed");
        Harness.WriteFile(folders[0] + "/shallow.txt", "in the first of those folders");
        Assert.True(Encoding.UTF8.GetByteCount(deep + "/deep.txt") > 2_704);

        var summary = await Harness.Get<SourceScanner>().ScanAsync(Source(), Ct);

        Assert.Equal((2, 2, 1), (summary.Seen, summary.NewVersions, summary.Problems));
        var (path, kind, reason) = (await Harness.Database.ListAsync(
            "select relative_path, kind, reason from orchestrator.source_file_problem", r => (r.GetString(0), r.GetString(1), r.GetString(2)))).Single();
        Assert.Equal("PathTooLong", kind);
        Assert.True(Encoding.UTF8.GetByteCount(path) <= RecordablePath.MaxPathBytes, path);
        Assert.StartsWith(folders[0] + "/", path + "/", StringComparison.Ordinal);
        Assert.Contains("shorten", reason, StringComparison.Ordinal);

        // And again: the record is the same, nothing is taken for gone or changed.
        var again = await Harness.Get<SourceScanner>().ScanAsync(Source(), Ct);
        Assert.Equal((2, 0, 0, 1), (again.Seen, again.NewOrChanged, again.Vanished, again.Problems));
    }

    [Fact]
    public async Task ScanAsync_SetsAsideAnInvalidNameOnALongPath_AtItsFolder_AndTakesTheOtherFiles()
    {
        Harness.WriteFile("ok.txt", "an ordinary file");
        // 2,387 bytes of folders, then a Latin-1 name of 252 bytes, 376 once each invalid byte reads as U+FFFD: past what PostgreSQL keys.
        var deep = string.Join('/', Enumerable.Range(0, 12).Select(_ => Convert.ToHexString(RandomNumberGenerator.GetBytes(99)).ToLowerInvariant()));
        Directory.CreateDirectory(Path.Combine(Harness.SourcePath, deep));
        var name = string.Concat(Enumerable.Repeat("M\\344rz", 62)) + ".pdf"; // printf's octal escape: 4 bytes each written
        using (var shell = System.Diagnostics.Process.Start("bash", ["-c", $"cd '{Path.Combine(Harness.SourcePath, deep)}' && printf 'latin-1' > \"$(printf '{name}')\""]))
        {
            await shell.WaitForExitAsync(Ct);
            Assert.Equal(0, shell.ExitCode);
        }

        try
        {
            var summary = await Harness.Get<SourceScanner>().ScanAsync(Source(), Ct);

            Assert.Equal((1, 1, 1), (summary.Seen, summary.NewVersions, summary.Problems));
            var (path, kind) = (await Harness.Database.ListAsync("select relative_path, kind from orchestrator.source_file_problem", r => (r.GetString(0), r.GetString(1)))).Single();
            Assert.Equal((deep, "InvalidName"), (path, kind));
        }
        finally
        {
            // .NET cannot delete what it cannot name, nor a name whose decoded path is over PATH_MAX.
            using var remove = System.Diagnostics.Process.Start("rm", ["-rf", Path.Combine(Harness.SourcePath, deep[..deep.IndexOf('/', StringComparison.Ordinal)])]);
            await remove.WaitForExitAsync(Ct);
        }
    }

    [Fact]
    public async Task ScanAsync_KeepsTheLookOfALongPathRecordedBefore_NotTakingItForDeleted()
    {
        // A path PostgreSQL could compress below its limit was recorded before paths were measured; gone, it would
        // count as deleted from the folder (and a mirror would delete its remote copy).
        var deep = string.Join('/', Enumerable.Repeat(new string('a', 200), 14)) + "/deep.txt";
        Harness.WriteFile(deep, "recorded before");
        Harness.WriteFile("ok.txt", "an ordinary file");
        var source = Source();
        await Harness.Database.ExecuteAsync(
            "insert into orchestrator.source_file (source_name, relative_path, size, mtime_ticks, first_seen_at) values ($1, $2, 15, 1, now())",
            source.Name, deep);

        var summary = await Harness.Get<SourceScanner>().ScanAsync(source, Ct);

        Assert.Equal((1, 0, 1), (summary.Seen, summary.Vanished, summary.Problems));
        Assert.False(await Harness.Database.ScalarAsync<bool>("select deleted_at is not null from orchestrator.source_file where relative_path = $1", deep));
    }

    private SourceOptions Source()
    {
        var source = Harness.Get<IOptions<SourcesOptions>>().Value.Sources[0];
        source.SettleWindow = TimeSpan.Zero;
        return source;
    }
}
