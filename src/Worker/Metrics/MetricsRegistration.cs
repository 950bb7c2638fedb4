using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Validation;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>OpenTelemetry metrics with a Prometheus scraping endpoint; our meter only (no per-request HTTP series).</summary>
internal static class MetricsRegistration
{
    /// <summary>The section's options and their validation alone, as <c>config check</c> checks them.</summary>
    public static void AddOptions(IServiceCollection services, IConfiguration configuration) =>
        services.AddOptionsWithValidateOnStart<MetricsOptions, MetricsOptionsValidator>().BindStrictly(configuration.GetSection(MetricsOptions.SectionName));

    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(MetricsOptions.SectionName).GetConvertible<MetricsOptions>();
        AddOptions(services, configuration);
        services.AddSingleton<GaugeSnapshot>();
        services.AddSingleton<OpsMetrics>();
        services.AddTransient<CostGauges>();
        // Creating the instruments registers the gauges with the exporter, before any API call is made.
        services.AddHostedService(sp =>
        {
            sp.GetRequiredService<OpsMetrics>();
            return ActivatorUtilities.CreateInstance<GaugeRefresher>(sp);
        });
        services.AddHostedService<PauseMetrics>();
        services.AddTransient<ApiMetricsHandler>();
        // Added after Core's resilience pipeline and pacing handler, so this sits inside both and counts every attempt.
        services.AddHttpClient(LlamaCloudApis.HttpClientName).AddHttpMessageHandler<ApiMetricsHandler>();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("batch-orchestrator"))
            .WithMetrics(metrics => metrics.AddMeter(OpsMetrics.MeterName).AddPrometheusExporter());
        if (!string.IsNullOrEmpty(options.Path))
        {
            services.AddTransient<IStartupFilter>(_ => new MetricsStartupFilter(options.Path));
        }
    }

    private sealed class MetricsStartupFilter(string path) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(path);
            next(app);
        };
    }
}
