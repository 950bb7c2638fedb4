using BatchOrchestrator.Persistence.Migrations;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace BatchOrchestrator.Persistence.Jobs;

/// <summary>
/// Hangfire's storage on our PostgreSQL, in its own schema. It never touches the database when
/// constructed: its schema is installed by our migrator, so the storage can be built before the
/// embedded server is up.
/// </summary>
internal static class JobStorageFactory
{
    /// <summary>
    /// Seconds of silence after which a Hangfire connection sends PostgreSQL a keepalive, while long polling is on.
    /// A worker that fetches a job first stops its LISTEN wait and waits for it without a timeout; Npgsql can miss a
    /// cancellation that lands as that wait starts reading (npgsql/npgsql#5975, open), and the worker then sat, the
    /// job it had fetched still Enqueued and kept hidden from the other workers, until the next NOTIFY, in a quiet
    /// database never (docs/reliability.md, "A worker held by its own LISTEN"). A keepalive wakes the wait, which then
    /// sees its cancellation: the stall is at most this long. It costs one message a connection every five idle seconds.
    /// </summary>
    public const int ListenKeepaliveSeconds = 5;

    public static PostgreSqlStorage Create(string connectionString, JobStorageOptions options)
    {
        connectionString = WithListenKeepalive(connectionString, options);
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = Migrator.HangfireSchema,
            PrepareSchemaIfNecessary = false,
            QueuePollInterval = options.QueuePollInterval,
            EnableLongPolling = options.EnableLongPolling,
            InvisibilityTimeout = options.InvisibilityTimeout,
            UseSlidingInvisibilityTimeout = true,
            DistributedLockTimeout = options.DistributedLockTimeout,
            AllowUnsafeValues = options.QueuePollInterval < TimeSpan.FromSeconds(1),
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions);
    }

    /// <summary>Hangfire's connection string: the given one, with a keepalive while long polling is on, unless it sets its own.</summary>
    internal static string WithListenKeepalive(string connectionString, JobStorageOptions options)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!options.EnableLongPolling || builder.KeepAlive > 0)
        {
            return connectionString;
        }

        builder.KeepAlive = ListenKeepaliveSeconds;
        return builder.ConnectionString;
    }
}
