using System.Collections.Concurrent;
using System.Globalization;
using BatchOrchestrator.Worker.Logging;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace BatchOrchestrator.Worker.Tests;

/// <summary>
/// Keeps every log event, and the text each format we ship would write for it: the properties and
/// exception as a structured sink sees them, our human-readable console line and our compact JSON line.
/// </summary>
internal sealed class CapturingSink : ILogEventSink
{
    private static readonly ITextFormatter Json = new CompactJsonFormatter();
    private static readonly ITextFormatter Text = new MessageTemplateTextFormatter(WorkerLogging.TextTemplate, CultureInfo.InvariantCulture);
    private static readonly JobIdsEnricher Ids = new();

    public ConcurrentQueue<string> Lines { get; } = new();

    public ConcurrentQueue<LogEvent> Events { get; } = new();

    public void Emit(LogEvent logEvent)
    {
        Events.Enqueue(logEvent);
        Lines.Enqueue(
            $"{logEvent.Level} {logEvent.RenderMessage(CultureInfo.InvariantCulture)} {string.Join(' ', logEvent.Properties.Select(p => $"{p.Key}={p.Value}"))} {logEvent.Exception}");
        Lines.Enqueue(Format(Json, logEvent));
        Ids.Enrich(logEvent, new PropertyFactory());
        Lines.Enqueue(Format(Text, logEvent));
    }

    private static string Format(ITextFormatter formatter, LogEvent logEvent)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        formatter.Format(logEvent, writer);
        return writer.ToString();
    }

    private sealed class PropertyFactory : ILogEventPropertyFactory
    {
        public LogEventProperty CreateProperty(string name, object? value, bool destructureObjects = false) => new(name, new ScalarValue(value));
    }
}
