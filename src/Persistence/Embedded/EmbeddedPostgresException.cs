namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>
/// Why the embedded PostgreSQL server cannot start, in one line that names the cause and the setting to
/// change. The Worker prints it as it is, without a stack trace: it is a problem of the machine or the
/// configuration, not of the code.
/// </summary>
internal sealed class EmbeddedPostgresException(string message) : InvalidOperationException(message);
