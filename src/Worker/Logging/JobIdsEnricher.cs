using Serilog.Core;
using Serilog.Events;

namespace BatchOrchestrator.Worker.Logging;

/// <summary>
/// Adds <c>Ids</c>, a short " [source=… run=… batch=…]" text, so the human-readable format shows a job's
/// ids on every line; JSON carries the properties themselves.
/// </summary>
internal sealed class JobIdsEnricher : ILogEventEnricher
{
    private static readonly (string Property, string Label)[] Names = [("Source", "source"), ("RunId", "run"), ("BatchId", "batch"), ("JobId", "job")];

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        var parts = Names
            .Where(n => logEvent.Properties.TryGetValue(n.Property, out var value) && value is ScalarValue { Value: not null })
            .Select(n => $"{n.Label}={((ScalarValue)logEvent.Properties[n.Property]).Value}")
            .ToList();
        logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty("Ids", parts.Count == 0 ? "" : $" [{string.Join(' ', parts)}]"));
    }
}
