using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Cleanup;
using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Operations;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Core.Ticks;
using BatchOrchestrator.Core.Uploads;
using BatchOrchestrator.Core.Validation;
using BatchOrchestrator.Core.Watchdog;
using BatchOrchestrator.Core.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace BatchOrchestrator.Core;

/// <summary>Registration of the domain: use cases, their options and the LlamaCloud client.</summary>
public static class CoreHostingExtensions
{
    /// <summary>
    /// Adds the use cases (scan, upload, submit, poll, record, follow up, the watchdog, the webhook
    /// receiver), their options (validated at start-up), the FileSystem follow-up sink and the typed
    /// LlamaCloud client. Stores and the pipeline scheduler come from the other projects.
    /// </summary>
    public static IHostApplicationBuilder AddBatchCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton(_ => ServedQueues.From(configuration));
        services.TryAddSingleton(SourceFolderAccess.Read); // a verb that never scans says otherwise
        services.AddOptionsWithValidateOnStart<SourcesOptions, SourcesOptionsValidator>()
            .BindStrictly(configuration)
            .PostConfigure<ServedQueues, SourceFolderAccess>((options, served, folders) => SourcePaths.Resolve(options, builder.Environment.ContentRootPath, served, folders));
        services.AddOptionsWithValidateOnStart<PipelineOptions, PipelineOptionsValidator>().BindStrictly(configuration.GetSection("Pipeline"));
        services.AddOptionsWithValidateOnStart<PollingOptions, PollingOptionsValidator>().BindStrictly(configuration.GetSection("Polling"));
        services.AddOptionsWithValidateOnStart<LeaseOptions, LeaseOptionsValidator>().BindStrictly(configuration.GetSection("Leases"));
        services.AddOptionsWithValidateOnStart<FollowUpOptions, FollowUpOptionsValidator>().BindStrictly(configuration.GetSection(FollowUpOptions.SectionName));
        services.AddOptionsWithValidateOnStart<FileSystemSinkOptions, FileSystemSinkOptionsValidator>().BindStrictly(configuration.GetSection(FollowUpOptions.SectionName));
        services.AddOptionsWithValidateOnStart<WatchdogOptions, WatchdogOptionsValidator>().BindStrictly(configuration.GetSection("Watchdog"));
        services.AddOptionsWithValidateOnStart<RemoteCleanupOptions, RemoteCleanupOptionsValidator>().BindStrictly(configuration.GetSection(RemoteCleanupOptions.SectionName));
        services.AddSingleton(new ReadSetting($"{WebhookOptions.SectionName}:SigningSecret")); // WebhookSecret reads it, never bound
        services.AddOptionsWithValidateOnStart<WebhookOptions, WebhookOptionsValidator>()
            .BindStrictly(configuration.GetSection(WebhookOptions.SectionName))
            .PostConfigure(options => WebhookSecret.Resolve(options, configuration));
        services.AddOptionsWithValidateOnStart<CostOptions, CostOptionsValidator>().BindStrictly(configuration.GetSection(CostOptions.SectionName));
        services.AddOptionsWithValidateOnStart<LlamaCloudOptions, LlamaCloudOptionsValidator>()
            .BindStrictly(configuration.GetSection(LlamaCloudOptions.SectionName))
            .PostConfigure(options => LlamaCloudKey.Resolve(options, configuration));

        services.AddOptionsWithValidateOnStart<UploadRateLimitOptions, UploadRateLimitOptionsValidator>()
            .BindStrictly(configuration.GetSection($"{LlamaCloudOptions.SectionName}:UploadRateLimit"));
        services.AddOptionsWithValidateOnStart<CircuitBreakerOptions, CircuitBreakerOptionsValidator>().BindStrictly(configuration.GetSection(CircuitBreakerOptions.SectionName));
        services.AddOptionsWithValidateOnStart<PauseOptions, PauseOptionsValidator>().BindStrictly(configuration.GetSection(PauseOptions.SectionName));
        services.AddSingleton<ProjectCircuits>();
        services.AddSingleton<ProjectPauses>();
        services.AddSingleton<PauseProbe>();
        services.AddSingleton<PauseGate>();
        services.AddSingleton<RetryTiming>();
        services.AddSingleton<UploadPaces>();
        services.AddSingleton<UploadSlots>();
        services.AddSingleton<ProjectScopes>();
        services.AddSingleton<ConfigurationEdits>();
        services.AddSingleton<LlamaCloudPipeline>();
        services.AddSingleton(sp => new SentSecrets(() =>
            [sp.GetRequiredService<IOptions<LlamaCloudOptions>>().Value.ApiKey, .. sp.GetRequiredService<IOptions<WebhookOptions>>().Value.SentSecrets()]));
        services.AddSingleton<IBatchApis, LlamaCloudApis>();
        services.AddTransient<UploadPacingHandler>();
        services.AddTransient<WholeAnswerHandler>();
        var llamaCloud = services.AddHttpClient(
            LlamaCloudApis.HttpClientName, (sp, http) => LlamaCloudKey.Configure(http, sp.GetRequiredService<IOptions<LlamaCloudOptions>>().Value));
        // A kept-alive connection idle longer than the server keeps it is closed under the next request: for a create,
        // an ambiguous failure the submit step waits out for minutes. .NET keeps idle connections a minute; the official
        // SDK's HTTP client (Node's fetch) 4 s (docs/resilience.md, "Idle connections").
        llamaCloud.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionIdleTimeout = LlamaCloudApis.IdleConnectionTimeout });
        LlamaCloudPipeline.AddTo(llamaCloud); // retries and the attempt timeout, one pipeline per project
        llamaCloud
            .AddHttpMessageHandler<UploadPacingHandler>() // inside the retries: every attempt waits its turn
            .AddHttpMessageHandler<WholeAnswerHandler>() // inside the attempt timeout: the answer's body is timed too
            // HttpClientFactory's request logging redacts header values in the message text but hands the raw
            // values (the key in Authorization) to structured sinks as properties; LlamaCloudPipeline logs retries instead.
            .RemoveAllLoggers();

        services.AddSingleton<PriceModel>();
        services.AddSingleton<CostMetrics>();
        services.AddTransient<TierResolver>();
        services.AddTransient<CostBudget>();
        services.AddTransient<PlanPreview>();
        services.AddTransient<IReprocessCostEstimator, ReprocessCost>();
        services.AddSingleton<LeaseManager>();
        services.AddSingleton(sp => new PageReading(sp.GetRequiredService<IOptions<CostOptions>>().Value.PageCountTimeout));
        services.AddTransient<SourceScanner>();
        services.AddTransient<SourceRunner>();
        services.AddTransient<RetryRuns>();
        services.AddSingleton<OwedRuns>(); // keeps when this process last looked
        services.AddTransient<BatchPlanner>();
        services.AddSingleton<MirrorSwitchNotice>(); // once per source per start: it keeps what it said
        services.AddTransient<BatchUploader>();
        services.AddTransient<FileSender>();
        services.AddTransient<BatchDirectory>();
        services.AddTransient<StrayCopies>();
        services.AddTransient<StepAttempts>();
        services.AddTransient<BatchSubmitter>();
        services.AddTransient<BatchPoller>();
        services.AddTransient<StalledStepResumer>();
        services.AddTransient<FollowUpDispatcher>();
        services.AddTransient<PollTick>();
        services.AddTransient<BatchResultRecorder>();
        services.AddTransient<OperatorCommands>();
        services.AddTransient<StuckJobCancelling>();
        services.AddTransient<RemoteBatches>();
        services.AddTransient<StuckWatchdog>();
        services.AddSingleton<PollTicker>();
        services.AddTransient<WebhookReceiver>();
        services.AddSingleton<IBatchWebhooks, BatchWebhooks>();
        services.AddTransient<WebhookLiveness>();
        services.AddTransient<Reprocessing>();
        services.AddTransient<SourceRenaming>();
        services.AddTransient<JobResults>();
        services.AddTransient<IJobStatuses, JobStatuses>();
        services.AddHostedService<SourceNotices>();
        services.AddTransient<RemoteCleaner>();
        services.AddTransient<FollowUpProcessor>();
        services.AddTransient<GoAgainRuns>();
        services.AddTransient<FollowUpDelivery>();
        services.AddTransient<FollowUpCosts>();
        services.AddTransient<LateBills>();
        services.AddSingleton<FollowUpThrottle>();
        services.AddSingleton<FollowUpHolds>();
        services.AddSingleton<FollowUpHandBack>();
        services.AddSingleton<IFolderSync, FolderSync>();
        services.AddSingleton<IFollowUpSink, FileSystemSink>();
        return builder;
    }
}
