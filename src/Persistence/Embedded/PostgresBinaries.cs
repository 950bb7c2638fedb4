namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>Finds the folder holding initdb, pg_ctl and postgres.</summary>
internal static class PostgresBinaries
{
    private static readonly string[] Required = ["initdb", "pg_ctl", "postgres"];

    public static string Locate(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return HasAll(configured)
                ? configured
                : throw new EmbeddedPostgresException(
                    $"Database:Embedded:BinDirectory: '{configured}' does not contain initdb, pg_ctl and postgres; set it to the folder that does "
                    + "(Debian: /usr/lib/postgresql/<version>/bin), leave it empty to search PATH, or set Database:ConnectionString to use an existing server");
        }

        var found = Candidates().FirstOrDefault(HasAll);
        return found ?? throw new EmbeddedPostgresException(
            "No PostgreSQL server binaries (initdb, pg_ctl, postgres) were found on PATH or in /usr/lib/postgresql/*/bin. "
            + "Install PostgreSQL (Debian/Ubuntu: apt-get install postgresql), set Database:Embedded:BinDirectory to the folder "
            + "that holds them, or set Database:ConnectionString to use an existing server.");
    }

    /// <summary>
    /// The binaries for an existing cluster: those of the major version that made it (its <c>PG_VERSION</c>). The newest
    /// found first is right for a new cluster, but a distribution upgrade that installs a newer PostgreSQL beside the
    /// old one would have it start the old cluster, which it refuses ("database files are incompatible with server"),
    /// and the service would stop at every start with only the server's log to say why.
    /// </summary>
    /// <param name="located">What <see cref="Locate"/> chose.</param>
    /// <param name="configured"><c>Database:Embedded:BinDirectory</c>, when set.</param>
    /// <param name="cluster">The cluster's folder; one without <c>PG_VERSION</c> is made by whatever is located.</param>
    /// <param name="candidates">Where to look for the right version when <paramref name="located"/> is not (tests name their own).</param>
    public static string ForCluster(string located, string? configured, string cluster, IEnumerable<string>? candidates = null)
    {
        var versionFile = Path.Combine(cluster, "PG_VERSION");
        // A version that cannot be read (a wrapper that answers otherwise) is no reason to refuse what was chosen before.
        if (!File.Exists(versionFile) || File.ReadAllText(versionFile).Trim() is not { Length: > 0 } made || MajorOf(located) is not { } major || major == made)
        {
            return located;
        }

        if (!string.IsNullOrWhiteSpace(configured))
        {
            throw new EmbeddedPostgresException(
                $"Database:Embedded:BinDirectory: '{configured}' holds PostgreSQL {major}, but the cluster in '{cluster}' was made by "
                + $"PostgreSQL {made}; point it at version {made}'s binaries (Debian: /usr/lib/postgresql/{made}/bin), or upgrade the cluster with pg_upgrade");
        }

        var found = (candidates ?? Candidates()).Where(HasAll).Distinct(StringComparer.Ordinal).Select(dir => (Dir: dir, Major: MajorOf(dir))).ToList();
        return found.FirstOrDefault(c => c.Major == made).Dir ?? throw new EmbeddedPostgresException(
            $"The embedded cluster in '{cluster}' was made by PostgreSQL {made}, and no server binaries of that version were found "
            + $"(found: {string.Join(", ", found.Select(c => $"{c.Major ?? "?"} in {c.Dir}"))}); install PostgreSQL {made}'s server binaries and set "
            + "Database:Embedded:BinDirectory to them, upgrade the cluster with pg_upgrade, or set Database:ConnectionString to use another server");
    }

    // "postgres (PostgreSQL) 15.10 (Debian 15.10-0+deb12u1)" → "15"; "9.6.24" → "9.6", as PG_VERSION names it. --version is
    // answered before the server's refusal to run as root.
    private static string? MajorOf(string dir)
    {
        string? output;
        try
        {
            output = ProcessRunner.Output(Path.Combine(dir, "postgres"), "--version");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null; // not executable by this user: not a version to run either
        }

        var match = output is null ? null : System.Text.RegularExpressions.Regex.Match(output, @"\(PostgreSQL\) (\d+)(\.\d+)?");
        if (match is not { Success: true })
        {
            return null;
        }

        var major = match.Groups[1].Value;
        return int.Parse(major, System.Globalization.CultureInfo.InvariantCulture) < 10 && match.Groups[2].Success ? major + match.Groups[2].Value : major;
    }

    private static IEnumerable<string> Candidates()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var pgCtl = Path.Combine(dir, "pg_ctl");
            if (File.Exists(pgCtl))
            {
                // Debian links pg_ctl into /usr/bin as a wrapper or symlink; the real folder is next to the target.
                var target = new FileInfo(pgCtl).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? pgCtl;
                yield return Path.GetDirectoryName(target)!;
                yield return dir;
            }
        }

        foreach (var root in new[] { "/usr/lib/postgresql", "/usr/local/pgsql", "/opt/homebrew/opt", "/usr/local/opt" })
        {
            if (!Directory.Exists(root))
            {
                continue;
            }

            // Newest version first: /usr/lib/postgresql/16/bin before 15/bin.
            foreach (var versionDir in Directory.EnumerateDirectories(root).OrderByDescending(VersionOf))
            {
                yield return Path.Combine(versionDir, "bin");
            }
        }

        foreach (var rhel in (Directory.Exists("/usr") ? Directory.EnumerateDirectories("/usr", "pgsql-*") : []).OrderByDescending(VersionOf))
        {
            yield return Path.Combine(rhel, "bin");
        }
    }

    private static double VersionOf(string path)
    {
        var digits = new string(Path.GetFileName(path).Where(c => char.IsDigit(c) || c == '.').ToArray());
        return double.TryParse(digits, System.Globalization.CultureInfo.InvariantCulture, out var version) ? version : 0;
    }

    private static bool HasAll(string dir) => Required.All(name => File.Exists(Path.Combine(dir, name)));
}
