namespace BatchOrchestrator.Persistence;

/// <summary>The private PostgreSQL server ("Database:Embedded" section).</summary>
public sealed class EmbeddedPostgresOptions
{
    /// <summary>Folder for the cluster, its password and log; kept across restarts. Relative to the working directory.</summary>
    public string DataDirectory { get; set; } = "data/postgres";

    /// <summary>Folder holding <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>; found on PATH or in /usr/lib/postgresql/*/bin when empty.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>Port on 127.0.0.1; 0 picks a free one on first start and keeps it.</summary>
    public int Port { get; set; }

    /// <summary>PostgreSQL refuses to run as root: when the service runs as root, the server runs as this user.</summary>
    public string RunAsUser { get; set; } = "postgres";

    /// <summary>fsync and synchronous commit; turn off only for throwaway test servers.</summary>
    public bool Durable { get; set; } = true;

    /// <summary>
    /// Whether a server found already running at start (left over from a crash) is stopped at exit. The
    /// service owns it; a command-line verb run beside the service turns this off so it never stops the service's database.
    /// On, a data folder another live instance owns is refused at start; off, that instance's server is shared.
    /// </summary>
    public bool StopIfFoundRunning { get; set; } = true;
}
