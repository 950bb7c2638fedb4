using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace BatchOrchestrator.Worker.IntegrationTests.Support;

/// <summary>
/// Keeps every log event as the text a sink would write: message, properties and exception
/// (<see cref="Lines"/>, one per event), and also as each console format we ship writes it, our
/// compact JSON line and our human-readable line (<see cref="AllFormats"/>), for the secret canaries.
/// </summary>
internal sealed class CapturingSink : ILogEventSink
{
    private static readonly ITextFormatter Json = new CompactJsonFormatter();
    private static readonly ITextFormatter Text = new MessageTemplateTextFormatter(WorkerLogging.TextTemplate, CultureInfo.InvariantCulture);
    private static readonly JobIdsEnricher Ids = new();

    public ConcurrentQueue<string> Lines { get; } = new();

    public ConcurrentQueue<string> AllFormats { get; } = new();

    public ConcurrentQueue<LogEvent> Events { get; } = new();

    public void Emit(LogEvent logEvent)
    {
        Events.Enqueue(logEvent);
        var line = $"{logEvent.Level} {logEvent.RenderMessage(CultureInfo.InvariantCulture)} {string.Join(' ', logEvent.Properties.Select(p => $"{p.Key}={p.Value}"))} {logEvent.Exception}";
        Lines.Enqueue(line);
        AllFormats.Enqueue(line);
        AllFormats.Enqueue(Format(Json, logEvent));
        Ids.Enrich(logEvent, new PropertyFactory());
        AllFormats.Enqueue(Format(Text, logEvent));
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
