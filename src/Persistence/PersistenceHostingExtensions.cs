using BatchOrchestrator.Core.Cleanup;
using BatchOrchestrator.Persistence.Cleanup;
using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Operations;
using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Core.Ticks;
using BatchOrchestrator.Core.Uploads;
using BatchOrchestrator.Core.Validation;
using BatchOrchestrator.Core.Watchdog;
using BatchOrchestrator.Core.Webhooks;
using BatchOrchestrator.Persistence.Batches;
using BatchOrchestrator.Persistence.Embedded;
using BatchOrchestrator.Persistence.FollowUp;
using BatchOrchestrator.Persistence.Jobs;
using BatchOrchestrator.Persistence.Leases;
using BatchOrchestrator.Persistence.Migrations;
using BatchOrchestrator.Persistence.Monitoring;
using BatchOrchestrator.Persistence.Operations;
using BatchOrchestrator.Persistence.Pauses;
using BatchOrchestrator.Persistence.Planning;
using BatchOrchestrator.Persistence.Runs;
using BatchOrchestrator.Persistence.Sources;
using BatchOrchestrator.Persistence.Ticks;
using BatchOrchestrator.Persistence.Uploads;
using BatchOrchestrator.Persistence.Watchdog;
using BatchOrchestrator.Persistence.Webhooks;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Persistence;

/// <summary>Registration of PostgreSQL: the server (external or embedded), migrations, stores and Hangfire's storage.</summary>
public static class PersistenceHostingExtensions
{
    /// <summary>
    /// Adds the database: with no <c>Database:ConnectionString</c>, a private server started from the
    /// machine's PostgreSQL binaries; migrations applied at start-up; the Npgsql stores behind Core's
    /// ports (with the Postgres follow-up sink); and Hangfire's PostgreSQL storage in its own schema.
    /// </summary>
    public static IHostApplicationBuilder AddBatchPersistence(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var section = builder.Configuration.GetSection(DatabaseOptions.SectionName);
        services.AddOptionsWithValidateOnStart<DatabaseOptions, DatabaseOptionsValidator>().BindStrictly(section);
        services.AddOptionsWithValidateOnStart<JobStorageOptions, JobStorageOptionsValidator>().BindStrictly(builder.Configuration.GetSection(JobStorageOptionsValidator.Section));

        var database = section.GetConvertible<DatabaseOptions>(); // a bad value is named when start-up validates
        if (database.UsesEmbedded)
        {
            var embeddedOptions = database.Embedded;
            if (!Path.IsPathRooted(embeddedOptions.DataDirectory))
            {
                embeddedOptions.DataDirectory = Path.Combine(builder.Environment.ContentRootPath, embeddedOptions.DataDirectory);
            }

            services.AddSingleton(sp => new EmbeddedPostgres(embeddedOptions, sp.GetService<ILoggerFactory>()?.CreateLogger<EmbeddedPostgres>() ?? NullLogger<EmbeddedPostgres>.Instance));
            services.AddSingleton(sp => new DatabaseEndpoint(sp.GetRequiredService<EmbeddedPostgres>().ConnectionString, Embedded: true));
            services.AddHostedService<EmbeddedPostgresService>();
        }
        else
        {
            services.AddSingleton(new DatabaseEndpoint(database.ConnectionString!, Embedded: false));
        }

        services.AddSingleton(sp => DataSourceBuilder(sp.GetRequiredService<DatabaseEndpoint>())
            .UseLoggerFactory(sp.GetService<ILoggerFactory>())
            .Build());
        services.AddSingleton<Migrator>();
        services.AddHostedService<MigrationService>();
        services.AddSingleton(sp => JobStorageFactory.Create(
            sp.GetRequiredService<DatabaseEndpoint>().ConnectionString, sp.GetRequiredService<IOptions<JobStorageOptions>>().Value));

        services.AddSingleton<Core.Pipeline.IServingInstances, HangfireServingInstances>();
        services.AddSingleton<ILeaseStore, NpgsqlLeaseStore>();
        services.AddSingleton<ISourceScanStore, NpgsqlSourceScanStore>();
        services.AddSingleton<IRunStore, NpgsqlRunStore>();
        services.AddSingleton<IBatchPlanStore, NpgsqlBatchPlanStore>();
        services.AddSingleton<Core.Costs.IConfigurationTierStore, Costs.NpgsqlConfigurationTierStore>();
        services.AddSingleton<IPlanPreviewStore, NpgsqlPlanPreviewStore>();
        services.AddSingleton<Monitoring.CostQueries>();
        services.AddSingleton<IUploadStore, NpgsqlUploadStore>();
        services.AddSingleton<IDirectoryCopyStore>(sp => sp.GetRequiredService<IUploadStore>());
        services.AddSingleton<IBatchStore, NpgsqlBatchStore>();
        services.AddSingleton<IOperatorStore, NpgsqlOperatorStore>();
        services.AddSingleton<ISourceRenameStore, NpgsqlSourceRenameStore>();
        services.AddSingleton<IFollowUpStore, NpgsqlFollowUpStore>();
        services.AddSingleton<IResultPathLocks, NpgsqlResultPathLocks>();
        services.AddSingleton<IFollowUpSink>(sp => new PostgresFollowUpSink(new Lazy<NpgsqlDataSource>(sp.GetRequiredService<NpgsqlDataSource>)));
        services.AddSingleton<IKeptResults, NpgsqlKeptResults>();
        services.AddSingleton<IWatchdogStore, NpgsqlWatchdogStore>();
        services.AddSingleton<IRemoteCleanupStore, NpgsqlRemoteCleanupStore>();
        services.AddSingleton<IPollTickStore, NpgsqlPollTickStore>();
        services.AddSingleton<IProjectPauseStore, NpgsqlProjectPauseStore>();
        services.AddSingleton<ISharedUploadPace, NpgsqlSharedUploadPace>();
        services.AddSingleton<IWebhookLivenessStore, NpgsqlWebhookLivenessStore>();
        services.AddSingleton<IReprocessStore, NpgsqlReprocessStore>();
        services.AddSingleton<OpsQueries>();
        services.AddSingleton<OverviewQueries>();
        services.AddSingleton<AttentionQueries>();
        services.AddSingleton<MetricsQueries>();
        return builder;
    }

    /// <summary>The Hangfire storage registered by <see cref="AddBatchPersistence"/>.</summary>
    internal static PostgreSqlStorage GetJobStorage(this IServiceProvider services) => services.GetRequiredService<PostgreSqlStorage>();

    // Start-up's validation may build the data source before the Database section's validator has run (a validator
    // that lists the follow-up sinks builds the PostgreSQL sink): a string that does not parse is then named as that
    // validator names it, in one line, rather than in the parser's words with a stack trace.
    private static NpgsqlDataSourceBuilder DataSourceBuilder(DatabaseEndpoint endpoint)
    {
        try
        {
            return new NpgsqlDataSourceBuilder(endpoint.ConnectionString);
        }
        catch (ArgumentException)
        {
            throw new OptionsValidationException(DatabaseOptions.SectionName, typeof(DatabaseOptions), [DatabaseOptionsValidator.UnparsableConnectionString]);
        }
    }
}
