using System.Text.Json;
using BatchOrchestrator.Core.Validation;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Health;

/// <summary>
/// <c>/healthz</c>: the process answers (liveness; never touches the database, so a database outage
/// does not get the service restarted in a loop). <c>/readyz</c>: PostgreSQL answers, the schema is
/// this build's, and LlamaCloud takes the key and has answered since start (no longer answering is only Degraded:
/// <see cref="ApiHealthCheck"/>). Both answer in JSON with each check's description.
/// </summary>
internal static class HealthRegistration
{
    public const string LivePath = "/healthz";
    public const string ReadyPath = "/readyz";
    private const string Ready = "ready";
    private const string Database = "postgresql";
    private const string Migrations = "migrations";

    /// <summary>The section's options and their validation alone, as <c>config check</c> checks them.</summary>
    public static void AddOptions(IServiceCollection services, IConfiguration configuration) =>
        services.AddOptionsWithValidateOnStart<HealthOptions, HealthOptionsValidator>().BindStrictly(configuration.GetSection(HealthOptions.SectionName));

    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        AddOptions(services, configuration);
        services.AddSingleton<ApiHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>(Database, tags: [Ready])
            .AddCheck<MigrationsHealthCheck>(Migrations, tags: [Ready])
            // A check cut off at its limit is LlamaCloud not answering, Degraded; what it says itself is its own (ApiHealthCheck).
            .AddCheck<ApiHealthCheck>("llamacloud", failureStatus: HealthStatus.Degraded, tags: [Ready], timeout: ApiHealthCheck.Limit);
        // The database checks' timeout is Health:DatabaseTimeout, known once the options are bound.
        services.AddOptions<HealthCheckServiceOptions>().Configure<IOptions<HealthOptions>>((checks, health) =>
        {
            foreach (var check in checks.Registrations.Where(r => r.Name is Database or Migrations))
            {
                check.Timeout = health.Value.DatabaseTimeout;
            }
        });
        services.AddSingleton<ReadinessLog>();
        services.AddTransient<IStartupFilter, HealthStartupFilter>();
    }

    private sealed class HealthStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            // First in the pipeline: probes answer whatever the rest of the app is doing.
            app.UseHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
            var readiness = app.ApplicationServices.GetRequiredService<ReadinessLog>();
            app.UseHealthChecks(ReadyPath, new HealthCheckOptions
            {
                Predicate = c => c.Tags.Contains(Ready),
                ResponseWriter = (http, report) =>
                {
                    readiness.Observe(report);
                    return WriteAsync(http, report);
                },
            });
            next(app);
        };
    }

    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        var body = new Dictionary<string, object>
        {
            ["status"] = report.Status.ToString(),
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body), http.RequestAborted);
    }
}
