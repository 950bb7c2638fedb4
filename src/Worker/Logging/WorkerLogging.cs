using System.Globalization;
using BatchOrchestrator.Core.Validation;
using BatchOrchestrator.Core.Webhooks;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace BatchOrchestrator.Worker.Logging;

/// <summary>
/// Serilog as the only provider. The console writes text on a terminal and compact JSON otherwise (or
/// as "Logs:Format" says); a "Serilog:WriteTo" section replaces the console sink entirely.
/// </summary>
internal static class WorkerLogging
{
    public const string HealthCheckServiceCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    public const string KestrelBadRequestsCategory = "Microsoft.AspNetCore.Server.Kestrel.BadRequests";

    // HTTP/2 and HTTP/3 say a refused :path in their own categories ("The request :path is invalid: '…'"), on an endpoint
    // that negotiates them.
    private static readonly string[] KestrelRefusalCategories = [KestrelBadRequestsCategory, "Microsoft.AspNetCore.Server.Kestrel.Http2", "Microsoft.AspNetCore.Server.Kestrel.Http3"];

    public const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}]{Ids} {Message:lj}{NewLine}{Exception}";

    /// <summary>The logger for start-up failures, before configuration is read: the same format rule.</summary>
    public static Serilog.ILogger CreateBootstrapLogger() =>
        Console(new LoggerConfiguration(), LogFormat.Auto, toStandardError: false).CreateBootstrapLogger();

    public static void Add(IServiceCollection services, IConfiguration configuration, bool commandLineVerb)
    {
        var format = configuration.GetSection(LogOptions.SectionName).GetConvertible<LogOptions>().Format;
        services.AddSingleton<Hosting.FailedStart>();
        services.AddSerilog((sp, logger) =>
        {
            var failedStart = sp.GetRequiredService<Hosting.FailedStart>();
            // The health check service logs an Error per failing check at every /readyz probe: every few seconds of an
            // outage, burying the line that matters. ReadinessLog says each change once instead. Serilog:MinimumLevel:
            // Override:<this category> still brings the per-probe lines back (docs/operations.md, "Health and metrics").
            if (configuration[$"Serilog:MinimumLevel:Override:{HealthCheckServiceCategory}"] is null)
            {
                logger.MinimumLevel.Override(HealthCheckServiceCategory, LogEventLevel.Fatal);
            }

            logger.ReadFrom.Configuration(SerilogLevels.Readable(configuration)).ReadFrom.Services(sp).Enrich.FromLogContext()
                .Enrich.With(new WebhookQueryLeftOut(configuration[$"{WebhookOptions.SectionName}:{nameof(WebhookOptions.Path)}"] ?? new WebhookOptions().Path))
                .Enrich.With<ControlCharactersEscaped>()
                // Kestrel says why it refused a malformed request at Debug, quoting the request line, query and all, whenever
                // its Information is on: before any middleware, so WebhookQueryLeftOut never sees a path. A gateway's token
                // in the webhook receiver's query would be printed. No override brings these lines back (docs/architecture.md,
                // "Secrets"); the client still gets its 400.
                .Filter.ByExcluding(e => e.Level < LogEventLevel.Information
                    && e.Properties.TryGetValue("SourceContext", out var context) && context is ScalarValue { Value: string category } && KestrelRefusalCategories.Contains(category))
                // The host logs a failed start with its stack trace; a foreseen failure is said in one line by Program instead.
                .Filter.ByExcluding(e => e.Exception is { } ex && Hosting.StartupFailure.Explain(ex) is not null
                    && e.Properties.TryGetValue("SourceContext", out var context) && context.ToString().StartsWith("\"Microsoft.Extensions.Hosting", StringComparison.Ordinal))
                // "Application is shutting down..." after a failed start would come before the failure is told.
                .Filter.ByExcluding(e => failedStart.Marked
                    && e.Properties.TryGetValue("SourceContext", out var context) && context is ScalarValue { Value: Hosting.FailedStart.LifetimeCategory });
            if (!configuration.GetSection("Serilog:WriteTo").Exists())
            {
                // A verb's own output goes to stdout; its log lines go to stderr so they never mix.
                Console(logger, format, toStandardError: commandLineVerb);
            }
        });
    }

    public static bool WritesJson(LogFormat format, bool toStandardError) =>
        format == LogFormat.Json
        || (format == LogFormat.Auto && (toStandardError ? System.Console.IsErrorRedirected : System.Console.IsOutputRedirected));

    private static LoggerConfiguration Console(LoggerConfiguration logger, LogFormat format, bool toStandardError)
    {
        var errorFrom = toStandardError ? LogEventLevel.Verbose : (LogEventLevel?)null;
        return WritesJson(format, toStandardError)
            ? logger.WriteTo.Console(new CompactJsonFormatter(), standardErrorFromLevel: errorFrom)
            // Only the text format needs the ids gathered into one " [source=… run=… batch=…]" hole; JSON has the properties.
            : logger.Enrich.With<JobIdsEnricher>().WriteTo.Console(outputTemplate: TextTemplate, formatProvider: CultureInfo.InvariantCulture, standardErrorFromLevel: errorFrom);
    }
}
