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
    public static PostgreSqlStorage Create(string connectionString, JobStorageOptions options)
    {
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
}
