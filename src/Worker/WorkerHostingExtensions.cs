using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Validation;
using BatchOrchestrator.Persistence;
using BatchOrchestrator.Worker.CommandLine;
using BatchOrchestrator.Worker.Dashboard;
using BatchOrchestrator.Worker.Health;
using BatchOrchestrator.Worker.Hosting;
using BatchOrchestrator.Worker.Jobs;
using BatchOrchestrator.Worker.Logging;
using BatchOrchestrator.Worker.Metrics;
using BatchOrchestrator.Worker.Sandbox;
using BatchOrchestrator.Worker.Scheduling;
using BatchOrchestrator.Worker.Watching;
using BatchOrchestrator.Worker.Webhooks;
using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker;

/// <summary>Registration of the host: logging, the job server and its jobs, schedules, watchers, the dashboard, health, metrics and the command-line verbs.</summary>
public static class WorkerHostingExtensions
{
    /// <summary>
    /// Adds Serilog as the logging provider and Hangfire's client. As the service (the <c>run</c> verb,
    /// the default): Hangfire's server, jobs and recurring schedules, the file-system watchers, the
    /// dashboard with our pages, the LlamaCloud webhook receiver (when
    /// <c>Webhooks:PublicUrl</c> is set), <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>, systemd integration and,
    /// when no LlamaCloud key is configured, the in-process Sandbox. As another verb ("Verb:Name"): only
    /// what that verb needs, and no web server. Call after <c>AddBatchCore</c> and <c>AddBatchPersistence</c>:
    /// hosted services start in registration order, so the database is up and migrated first.
    /// </summary>
    public static IHostApplicationBuilder AddBatchWorker(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        var verb = configuration.GetSection(VerbOptions.SectionName).GetConvertible<VerbOptions>();
        WorkerLogging.Add(services, configuration, commandLineVerb: !verb.IsService);

        services.AddOptionsWithValidateOnStart<VerbOptions, VerbOptionsValidator>().BindStrictly(configuration.GetSection(VerbOptions.SectionName));
        services.AddOptionsWithValidateOnStart<JobServerOptions, JobServerOptionsValidator>().BindStrictly(configuration.GetSection(JobServerOptionsValidator.Section));
        services.AddOptionsWithValidateOnStart<OpsDashboardOptions, OpsDashboardOptionsValidator>().BindStrictly(configuration.GetSection(OpsDashboardOptions.SectionName));
        services.AddOptionsWithValidateOnStart<WatchOptions, WatchOptionsValidator>().BindStrictly(configuration.GetSection(WatchOptionsValidator.Section));
        services.AddOptionsWithValidateOnStart<LogOptions, LogOptionsValidator>().BindStrictly(configuration.GetSection(LogOptions.SectionName));
        if (verb.IsService || verb.Name == Verbs.ConfigCheck)
        {
            // Only the service listens; a verb runs no web server (NoServer), whatever Urls says.
            services.AddOptionsWithValidateOnStart<ListenAddresses, ListenAddressesValidator>().Configure(o => o.Urls = configuration[ListenAddresses.Key]);
        }

        services.AddSingleton<IPipelineScheduler, HangfirePipelineScheduler>();
        services.AddSingleton<DeferredHandOffs>(); // run only by the service (below): a verb's hand-off fails as it did
        services.AddTransient<RunSourceJob>();
        services.AddTransient<UploadBatchJob>();
        services.AddTransient<SubmitBatchJob>();
        services.AddTransient<PollBatchesJob>();
        services.AddTransient<RecordBatchResultsJob>();
        services.AddTransient<FollowUpBatchJob>();
        services.AddTransient<CleanRemoteJob>();

        services.AddHangfire((sp, hangfire) => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(sp.GetJobStorage())
            .UseLogProvider(new HangfireOutageLogProvider(new Hangfire.AspNetCore.AspNetCoreLogProvider(sp.GetRequiredService<ILoggerFactory>()))));

        if (verb.IsService)
        {
            AddService(builder);
        }
        else
        {
            if (Verbs.MayCallTheApi(verb.Name))
            {
                SandboxMode.AddIfNoApiKey(builder, forVerb: true); // without a key, as the service: never the real LlamaCloud
            }
            else if (verb.Name == Verbs.ConfigCheck && SandboxMode.Applies(configuration))
            {
                SandboxMode.AddCheck(builder); // the Sandbox's settings are the service's too
            }

            if (verb.Name == Verbs.ConfigCheck)
            {
                // The service's own sections, checked (and their unknown keys said) as its start checks them.
                HealthRegistration.AddOptions(services, configuration);
                MetricsRegistration.AddOptions(services, configuration);
            }

            VerbRegistration.Add(builder, verb);
        }

        return builder;
    }

    private static void AddService(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        SandboxMode.AddIfNoApiKey(builder);
        services.AddSystemd(); // Type=notify under systemd; nothing elsewhere

        services.AddSingleton<JobLogScopeFilter>();
        services.AddSingleton<PollTickWakeFilter>();
        services.AddHostedService<ConfigurationEditsNotice>(); // listens from the host's Starting, before any service starts
        services.AddHostedService<OutputFolderCheck>(); // before any job can run a follow-up
        services.AddHostedService<RecurringJobsRegistration>();
        services.AddHostedService(sp => sp.GetRequiredService<DeferredHandOffs>());
        services.AddHangfireServer((sp, server) =>
        {
            // Read unvalidated: the host makes its hosted services, this server among them, before it validates the
            // options, and a validated read here would name one invalid section alone. An invalid value never runs:
            // the validation that follows stops the start, listing every problem.
            var settings = configuration.GetSection(JobServerOptionsValidator.Section).GetConvertible<JobServerOptions>();
            server.WorkerCount = settings.WorkerCount;
            server.Queues = [.. sp.GetRequiredService<Core.Sources.ServedQueues>().All];
            server.SchedulePollingInterval = settings.SchedulePollingInterval;
            server.ShutdownTimeout = settings.ShutdownTimeout;
            // This host's filters, not Hangfire's static GlobalJobFilters: they hold this host's services.
            var filters = new JobFilterCollection { sp.GetRequiredService<JobLogScopeFilter>(), sp.GetRequiredService<PollTickWakeFilter>(), new Jobs.DatabaseOutageRetryFilter() };
            server.FilterProvider = new JobFilterProviderCollection(JobFilterProviders.Providers, filters);
        });
        services.AddHostedService<SourceWatcher>();
        services.AddHostedService<PollTickerService>();
        services.AddHostedService<Costs.HeldFilesOnStart>();

        services.AddAntiforgery(); // Hangfire's dashboard checks its token on every POST once this is registered
        DashboardKeys.Add(services);
        services.AddSingleton<DashboardAccess>();
        services.AddTransient<IStartupFilter, DashboardStartupFilter>();
        services.AddTransient<IStartupFilter, WebhookEndpoint>();
        HealthRegistration.Add(services, configuration);
        MetricsRegistration.Add(services, configuration);

        // The host must wait longer than Hangfire does, or jobs never see their cancellation (HangfireIO/Hangfire#2026).
        services.Configure<HostOptions>(host => host.ShutdownTimeout =
            configuration.GetSection(JobServerOptionsValidator.Section).GetConvertible<JobServerOptions>().ShutdownTimeout + TimeSpan.FromSeconds(15));
    }
}
