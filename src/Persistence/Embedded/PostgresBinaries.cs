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
