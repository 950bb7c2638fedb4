using BatchOrchestrator.Persistence.Embedded;

namespace BatchOrchestrator.Persistence.IntegrationTests.Embedded;

/// <summary>
/// Which server binaries start the embedded cluster. A distribution upgrade installs a newer PostgreSQL beside the one that
/// made the cluster; started with the newer, the cluster is refused ("database files are incompatible with server").
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PostgresBinariesFacts : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("bo-bins-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Theory]
    [InlineData("15", false)] // the cluster's own version, found second: taken over the newer one found first
    [InlineData(null, true)] // no cluster yet: the newest, as before
    public void ForCluster_TakesTheBinariesOfTheVersionThatMadeTheCluster(string? made, bool newest)
    {
        var newer = Version("17.2");
        var older = Version("15.18");

        Assert.Equal(newest ? newer : older, PostgresBinaries.ForCluster(newer, configured: null, Cluster(made), [newer, older]));
    }

    [Fact]
    public void ForCluster_SaysWhichVersionIsMissing_WhenNoBinariesMatchTheCluster()
    {
        var newer = Version("17.2");

        var error = Assert.Throws<EmbeddedPostgresException>(() => PostgresBinaries.ForCluster(newer, configured: null, Cluster("15"), [newer]));
        var configured = Assert.Throws<EmbeddedPostgresException>(() => PostgresBinaries.ForCluster(newer, configured: newer, Cluster("15"), [newer]));

        Assert.StartsWith("The embedded cluster in '", error.Message, StringComparison.Ordinal);
        Assert.Contains("was made by PostgreSQL 15, and no server binaries of that version were found (found: 17 in ", error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"Database:Embedded:BinDirectory: '{newer}' holds PostgreSQL 17, but the cluster in ", configured.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForCluster_KeepsTheMachinesOwnServer_ForAClusterItsVersionMade()
    {
        // The real binaries, asked as the service asks them (as root too: --version is answered before the refusal of root).
        var located = PostgresBinaries.Locate(null);
        using var version = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(Path.Combine(located, "postgres"), "--version") { RedirectStandardOutput = true })!;
        var major = System.Text.RegularExpressions.Regex.Match(version.StandardOutput.ReadToEnd(), @"\(PostgreSQL\) (\d+)").Groups[1].Value;
        version.WaitForExit();

        Assert.Equal(located, PostgresBinaries.ForCluster(located, configured: null, Cluster(major), candidates: []));
    }

    // A folder holding initdb, pg_ctl and a postgres that only says its version, as a distribution's would.
    private string Version(string version)
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, version, "bin")).FullName;
        foreach (var name in new[] { "initdb", "pg_ctl", "postgres" })
        {
            var script = Path.Combine(dir, name);
            File.WriteAllText(script, $"#!/bin/sh\necho 'postgres (PostgreSQL) {version} (Debian {version}-1)'\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return dir;
    }

    private string Cluster(string? made)
    {
        var cluster = Directory.CreateDirectory(Path.Combine(root, $"cluster-{made}")).FullName;
        if (made is not null)
        {
            File.WriteAllText(Path.Combine(cluster, "PG_VERSION"), made + "\n");
        }

        return cluster;
    }
}
