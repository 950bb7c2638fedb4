using System.Collections.Concurrent;
using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace BatchOrchestrator.Worker.Tests;

/// <summary>Keeps every log event as the text a sink would write: message, properties and exception.</summary>
internal sealed class CapturingSink : ILogEventSink
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public void Emit(LogEvent logEvent) => Lines.Enqueue(
        $"{logEvent.Level} {logEvent.RenderMessage(CultureInfo.InvariantCulture)} {string.Join(' ', logEvent.Properties.Select(p => $"{p.Key}={p.Value}"))} {logEvent.Exception}");
}
