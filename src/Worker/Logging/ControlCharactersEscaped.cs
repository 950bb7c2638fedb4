using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace BatchOrchestrator.Worker.Logging;

/// <summary>
/// Writes the control characters of a logged text as escapes (<c>\n</c>, <c>\u001b</c>), and the bidirectional ones that
/// reorder what follows them. A file name may hold any character but '/', and the text format, like any text sink
/// "Serilog:WriteTo" names, writes a string as it is: a name with a line break and a made-up line after it would print
/// a line the service never logged, and an escape sequence would act on the terminal reading it. The JSON format escapes
/// them itself; here, ahead of every sink, a path reads the same in both (docs/operations.md, "Logs").
/// </summary>
internal sealed class ControlCharactersEscaped : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? escaped = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (value is ScalarValue { Value: string text } && HasUnprintable(text))
            {
                (escaped ??= []).Add(new LogEventProperty(name, new ScalarValue(Escape(text))));
            }
        }

        foreach (var property in escaped ?? [])
        {
            logEvent.AddOrUpdateProperty(property);
        }
    }

    private static bool HasUnprintable(string text)
    {
        foreach (var c in text)
        {
            if (Unprintable(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Unprintable(char c) => char.IsControl(c) || c is '\u2028' or '\u2029' || Dashboard.ShownText.IsBidiControl(c);

    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => escaped.Append(@"\n"),
                '\r' => escaped.Append(@"\r"),
                '\t' => escaped.Append(@"\t"),
                _ when Unprintable(c) => escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }
}
