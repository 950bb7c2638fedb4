using Serilog.Core;
using Serilog.Events;

namespace BatchOrchestrator.Worker.Logging;

/// <summary>
/// Leaves the query out of ASP.NET Core's request lines ("Request starting …", "Request finished …") for the webhook
/// receiver's path. A gateway in front of it may want a token in Webhooks:PublicUrl's query and pass it on; the
/// receiver never reads the query (every delivery is authenticated by its signature), and the hosting layer logs the
/// line before any middleware could strip it, at Information, which an operator may raise ASP.NET Core's level to when
/// debugging. Here, ahead of every sink, the line keeps its path, method and status (docs/architecture.md, "Secrets").
/// </summary>
internal sealed class WebhookQueryLeftOut(string webhookPath) : ILogEventEnricher
{
    public const string Shown = "?(query left out)";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        if (logEvent.Properties.TryGetValue("QueryString", out var query) && query is ScalarValue { Value: string { Length: > 0 } }
            && logEvent.Properties.TryGetValue("Path", out var path) && path is ScalarValue { Value: string requested } && IsWebhook(requested))
        {
            logEvent.AddOrUpdateProperty(new LogEventProperty("QueryString", new ScalarValue(Shown)));
        }
    }

    // As app.Map matches it: the path itself or below it, in any case.
    private bool IsWebhook(string requested) =>
        requested.StartsWith(webhookPath, StringComparison.OrdinalIgnoreCase)
        && (requested.Length == webhookPath.Length || requested[webhookPath.Length] == '/' || webhookPath.EndsWith('/'));
}
