using BatchOrchestrator.Sandbox.Auth;
using BatchOrchestrator.Sandbox.Batches;
using BatchOrchestrator.Sandbox.Configurations;
using BatchOrchestrator.Sandbox.Directories;
using BatchOrchestrator.Sandbox.Extract;
using BatchOrchestrator.Sandbox.Faults;
using BatchOrchestrator.Sandbox.Files;
using BatchOrchestrator.Sandbox.Parse;
using BatchOrchestrator.Sandbox.Processing;
using BatchOrchestrator.Sandbox.V1Batches;
using BatchOrchestrator.Sandbox.Webhooks;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace BatchOrchestrator.Sandbox.Hosting;

/// <summary>The Sandbox's services, middleware and endpoints, shared by the in-process server and Program.</summary>
internal static class SandboxApp
{
    public static void AddServices(IServiceCollection services, SandboxOptions options)
    {
        SandboxOptionsValidator.ThrowIfInvalid(options);
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SandboxState>();
        services.AddSingleton<SandboxCounters>();
        services.AddSingleton<FaultState>();
        services.AddSingleton<Billing.SandboxBilling>();
        services.AddSingleton<RateLimiters>();
        services.AddSingleton<DownloadLinks>();
        services.AddSingleton<DirectoryFiles>();
        services.AddSingleton<ConfigurationCatalog>();
        services.AddSingleton<JobFactory>();
        services.AddSingleton<JobProcessor>();
        services.AddSingleton<BatchProcessor>();
        services.AddSingleton<V1Processor>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton<ProcessingLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<ProcessingLoop>());
        services.AddRouting();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, SandboxJsonContext.Default));
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            // Uploads up to the platform limit, and a slow-upload fault must not trip the minimum data rate.
            kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes + (1024 * 1024);
            kestrel.Limits.MinRequestBodyDataRate = null;
        });
    }

    public static void Configure(WebApplication app)
    {
        app.UseRouting();
        app.UseMiddleware<RequestCountingMiddleware>();
        app.UseMiddleware<RouteMissMiddleware>();
        app.UseMiddleware<BearerAuthMiddleware>();
        app.UseMiddleware<ProjectAccessMiddleware>();
        app.UseMiddleware<FaultMiddleware>();
        app.UseMiddleware<OptionalFieldsMiddleware>();
        app.UseMiddleware<AccountFaultMiddleware>();
        app.UseMiddleware<HoldMiddleware>();
        app.UseMiddleware<Billing.CreditGateMiddleware>();
        AdminEndpoints.Map(app);
        DirectoryEndpoints.Map(app);
        DirectoryUploadEndpoints.Map(app);
        DirectoryFileEndpoints.Map(app);
        FileEndpoints.Map(app);
        BatchCreateEndpoint.Map(app);
        BatchEndpoints.Map(app);
        ParseEndpoints.Map(app);
        ParseCreateEndpoints.Map(app);
        ExtractEndpoints.Map(app);
        ConfigurationEndpoints.Map(app);
        WebhookConfigEndpoints.Map(app);
        V1CreateEndpoint.Map(app);
        V1Endpoints.Map(app);
        ClassifierEndpoints.Map(app);
    }
}
