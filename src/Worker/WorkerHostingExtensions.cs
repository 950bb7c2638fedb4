using System.Globalization;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Persistence;
using BatchOrchestrator.Worker.Dashboard;
using BatchOrchestrator.Worker.Hosting;
using BatchOrchestrator.Worker.Jobs;
using BatchOrchestrator.Worker.Sandbox;
using BatchOrchestrator.Worker.Scheduling;
using BatchOrchestrator.Worker.Watching;
using BatchOrchestrator.Worker.Webhooks;
using Hangfire;
using Microsoft.Extensions.Options;
using Serilog;

namespace BatchOrchestrator.Worker;

/// <summary>Registration of the host: logging, the job server and its jobs, schedules, watchers, the dashboard.</summary>
public static class WorkerHostingExtensions
{
    /// <summary>
    /// Adds Serilog as the logging provider, Hangfire (server, jobs, recurring schedules, dashboard),
    /// the file-system watchers, the LlamaCloud webhook receiver (when <c>Webhooks:PublicUrl</c> is set)
    /// and, when no LlamaCloud key is configured, the in-process Sandbox.
    /// Call after <c>AddBatchCore</c> and <c>AddBatchPersistence</c>: hosted services start in
    /// registration order, so the database is up and migrated before any job runs.
    /// </summary>
    public static IHostApplicationBuilder AddBatchWorker(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddSerilog((sp, logger) =>
        {
            logger.ReadFrom.Configuration(configuration).ReadFrom.Services(sp).Enrich.FromLogContext();
            if (!configuration.GetSection("Serilog:WriteTo").Exists())
            {
                logger.WriteTo.Console(formatProvider: CultureInfo.InvariantCulture); // never run silent
            }
        });

        SandboxMode.AddIfNoApiKey(builder);
        services.AddOptions<JobServerOptions>().Bind(configuration.GetSection("Hangfire:Server"));
        services.AddOptions<OpsDashboardOptions>().Bind(configuration.GetSection("Dashboard"));
        services.AddOptions<WatchOptions>().Bind(configuration.GetSection("Watching"));

        services.AddSingleton<IPipelineScheduler, HangfirePipelineScheduler>();
        services.AddTransient<RunSourceJob>();
        services.AddTransient<UploadBatchJob>();
        services.AddTransient<SubmitBatchJob>();
        services.AddTransient<PollBatchesJob>();
        services.AddTransient<RecordBatchResultsJob>();
        services.AddTransient<FollowUpBatchJob>();

        services.AddHangfire((sp, hangfire) => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(sp.GetJobStorage()));
        services.AddHostedService<RecurringJobsRegistration>();
        services.AddHangfireServer((sp, server) =>
        {
            var settings = sp.GetRequiredService<IOptions<JobServerOptions>>().Value;
            server.WorkerCount = settings.WorkerCount;
            server.Queues = [.. settings.Queues];
            server.SchedulePollingInterval = settings.SchedulePollingInterval;
            server.ShutdownTimeout = settings.ShutdownTimeout;
        });
        services.AddHostedService<SourceWatcher>();
        services.AddTransient<IStartupFilter, DashboardStartupFilter>();
        services.AddTransient<IStartupFilter, WebhookEndpoint>();

        // The host must wait longer than Hangfire does, or jobs never see their cancellation (HangfireIO/Hangfire#2026).
        services.Configure<HostOptions>(host => host.ShutdownTimeout =
            (configuration.GetSection("Hangfire:Server").Get<JobServerOptions>() ?? new JobServerOptions()).ShutdownTimeout + TimeSpan.FromSeconds(15));
        return builder;
    }
}
