using Microsoft.Extensions.Logging;

namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>
/// The embedded server's cluster on disk: made once by <c>initdb</c> (as the unprivileged user when we run as
/// root, which initdb refuses), our settings file written at each start, and our database created if missing.
/// </summary>
internal static class ClusterSetup
{
    public const string SuperUser = "batchorchestrator";

    /// <summary>Our settings, included from postgresql.conf and written again at each start.</summary>
    public const string OurConf = "batchorchestrator.conf";

    public static async Task InitializeAsync(string binDirectory, string root, string cluster, string passwordFile, string? runAs, bool durable, ILogger logger, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(cluster);
        if (runAs is { } user)
        {
            // initdb refuses to run as root; the cluster belongs to the unprivileged user instead.
            await ProcessRunner.RunCheckedAsync("chown", ["-R", $"{user}:", root], null, cancellationToken);
        }

        await ProcessRunner.RunCheckedAsync(
            Path.Combine(binDirectory, "initdb"),
            ["-D", cluster, "-U", SuperUser, $"--pwfile={passwordFile}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", .. durable ? Array.Empty<string>() : ["--no-sync"]],
            runAs,
            cancellationToken);
        await File.AppendAllTextAsync(Path.Combine(cluster, "postgresql.conf"), $"\ninclude_if_exists = '{OurConf}'\n", cancellationToken);
        logger.LogInformation("Created embedded PostgreSQL cluster in {Cluster}", cluster);
    }

    public static async Task WriteOurConfAsync(string cluster, int port, bool durable, string? runAs, CancellationToken cancellationToken)
    {
        var onOff = durable ? "on" : "off";
        var path = Path.Combine(cluster, OurConf);
        await File.WriteAllTextAsync(path, $"""
            {ClusterPort.Line(port)}
            # Written by BatchOrchestrator at each start: loopback only, no unix socket to place.
            listen_addresses = '127.0.0.1'
            unix_socket_directories = ''
            max_connections = 200
            fsync = {onOff}
            synchronous_commit = {onOff}
            full_page_writes = {onOff}
            """, cancellationToken);
        if (runAs is { } user)
        {
            await ProcessRunner.RunCheckedAsync("chown", [$"{user}:", path], null, cancellationToken);
        }
    }

    public static async Task EnsureDatabaseAsync(string connectionString, CancellationToken cancellationToken)
    {
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", connection);
        exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = EmbeddedPostgres.DatabaseName });
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"create database {EmbeddedPostgres.DatabaseName}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
