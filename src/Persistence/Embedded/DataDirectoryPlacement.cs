using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>
/// Where the embedded server keeps its data, and whether the user it runs as can have it there.
/// PostgreSQL refuses to run as root, so as root the server runs as <c>Database:Embedded:RunAsUser</c>
/// (<c>postgres</c>), and that user must be able to enter every folder above its data. A clone in root's
/// home (mode 700) is closed to it. Rather than open someone's folders to another user, the data then
/// goes to a folder of its own under <see cref="FallbackRoot"/>, named after the configured folder (so the
/// same configuration finds it again), and the log and a note in the configured folder say where.
/// </summary>
internal static class DataDirectoryPlacement
{
    public const string FallbackRoot = "/var/lib/batch-orchestrator";
    public const string NoteName = "MOVED.txt";

    /// <summary>The folder to use: <paramref name="configured"/>, or its fallback when <paramref name="runAs"/> cannot reach it.</summary>
    public static string Resolve(string configured, string? runAs, ILogger logger)
    {
        if (runAs is null || OperatingSystem.IsWindows())
        {
            return configured; // the server runs as this process's own user, who chose the folder
        }

        if (ProcessRunner.Run("id", "-u", runAs) != 0)
        {
            throw new EmbeddedPostgresException(
                $"Database:Embedded:RunAsUser: there is no user '{runAs}' on this machine. PostgreSQL refuses to run as root, so the embedded server "
                + $"runs as that user: create it (useradd --system postgres), set Database:Embedded:RunAsUser to another unprivileged user, or run BatchOrchestrator as one");
        }

        var parent = Path.GetDirectoryName(configured) ?? configured;
        Directory.CreateDirectory(parent);
        if (CanEnter(runAs, parent))
        {
            return configured;
        }

        if (File.Exists(Path.Combine(configured, "cluster", "PG_VERSION")))
        {
            throw new EmbeddedPostgresException(
                $"Database:Embedded:DataDirectory: '{configured}' holds a PostgreSQL cluster, but the '{runAs}' user the server runs as cannot enter "
                + $"'{parent}' (a folder above it is closed to other users). Move the folder where '{runAs}' can reach it and set Database:Embedded:DataDirectory, or give '{runAs}' access");
        }

        var fallback = Path.Combine(FallbackRoot, "postgres-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(configured)))[..12]);
        Directory.CreateDirectory(FallbackRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        if (!CanEnter(runAs, FallbackRoot))
        {
            throw new EmbeddedPostgresException(
                $"Database:Embedded:DataDirectory: the '{runAs}' user the server runs as can enter neither '{parent}' nor '{FallbackRoot}'; set Database:Embedded:DataDirectory to a folder it can reach");
        }

        // Its own folder, closed to others (the server's log lies beside the cluster); the server's user gets it at initdb.
        Directory.CreateDirectory(fallback, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(configured);
        File.WriteAllText(
            Path.Combine(configured, NoteName),
            $"The embedded PostgreSQL server keeps its data (cluster, password, log) in {fallback}: the '{runAs}' user it runs as cannot enter {parent}.\n");
        logger.LogWarning(
            "The {User} user that runs the embedded PostgreSQL server cannot enter {Folder}, so its data is kept in {DataDirectory} instead "
            + "(password and log there too; set Database:Embedded:DataDirectory to a folder {User} can reach to choose another)",
            runAs, parent, fallback, runAs);
        return fallback;
    }

    /// <summary>
    /// Refuses a cluster that belongs to another user than the one that runs the server: PostgreSQL would
    /// refuse it too, with a less telling message, and taking someone's data over is not ours to do.
    /// </summary>
    public static void RequireOwnCluster(string cluster, string? runAs)
    {
        if (!File.Exists(Path.Combine(cluster, "PG_VERSION")))
        {
            return;
        }

        var expected = runAs ?? Environment.UserName;
        var owner = ProcessRunner.Output("stat", "-c", "%U", cluster);
        if (owner is not null && owner != expected)
        {
            throw new EmbeddedPostgresException(
                $"Database:Embedded:DataDirectory: the cluster in '{cluster}' belongs to user '{owner}', but the server would run as '{expected}'. "
                + $"Run BatchOrchestrator as '{owner}'{(runAs is null ? "" : $" or set Database:Embedded:RunAsUser={owner}")}, or set Database:Embedded:DataDirectory to another folder");
        }
    }

    private static bool CanEnter(string user, string folder) => ProcessRunner.Run("runuser", "-u", user, "--", "test", "-x", folder) == 0;
}
