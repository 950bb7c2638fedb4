using Npgsql;

namespace BatchOrchestrator.Worker.Health;

/// <summary>
/// The failures of a database that cannot be reached (down, refusing connections, timing out, shutting down), told
/// apart from every other failure, which is a bug and keeps its stack trace wherever it is reported. Described by
/// their message only: a connection string never reaches a page or a log line.
/// </summary>
internal static class DatabaseUnreachable
{
    /// <summary>Why the database could not be reached, or null when <paramref name="exception"/> is not that.</summary>
    public static string? Describe(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.CrashShutdown }:
                    return "it is shutting down or starting";
                case NpgsqlException { InnerException: System.Net.Sockets.SocketException or TimeoutException or IOException } npgsql:
                    return npgsql.InnerException!.Message;
                case NpgsqlException { IsTransient: true } transient when transient is not PostgresException:
                    return transient.Message;
                case InvalidOperationException { Source: "Npgsql", Message: "Connection is not open" }:
                    // What a connection broken by the server's shutdown answers to the next command its holder sends.
                    return "its connection was closed";
            }
        }

        return null;
    }
}
