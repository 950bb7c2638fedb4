namespace BatchOrchestrator.Persistence;

/// <summary>Where our PostgreSQL is ("Database" section).</summary>
public sealed class DatabaseOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Database";

    /// <summary>
    /// An external server's connection string. Empty means: start and own a private server from the
    /// machine's PostgreSQL binaries (see <see cref="Embedded"/>). Keep passwords out of committed
    /// files: set it through the environment (<c>Database__ConnectionString</c>) or a secrets file.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The private server used when <see cref="ConnectionString"/> is empty.</summary>
    public EmbeddedPostgresOptions Embedded { get; set; } = new();

    /// <summary>Whether an external server is configured.</summary>
    internal bool UsesEmbedded => string.IsNullOrWhiteSpace(ConnectionString);
}
