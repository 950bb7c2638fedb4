using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Hangfire.Dashboard;
using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// Turns a query's value into HTML by its column name and type, so a new column needs no page change:
/// ids link to their page, states get a coloured label, JSON counts become badges, times are relative.
/// </summary>
internal static class OpsCell
{
    public static string Render(OpsTable table, object?[] row, int column, UrlHelper url, HtmlHelper html)
    {
        var name = table.Columns[column];
        var value = row[column];
        return value switch
        {
            null => "<span class=\"text-muted\">—</span>",
            DateTime time => html.RelativeTime(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToString(),
            DateTimeOffset time => html.RelativeTime(time.UtcDateTime).ToString(),
            _ when name.EndsWith("by state", StringComparison.Ordinal) => Counts(value.ToString()!),
            _ when name is "State" or "Last run state" or "Batch state" or "Follow-up" => Label(value.ToString()!),
            _ when name == "Progress" => Progress(value.ToString()!, "files ended"),
            _ when name == "Follow-ups" => Progress(value.ToString()!, "job references followed up"),
            long or int when name == "Size" => Size(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
            _ when Link(table, row, name, value, url) is { } href => $"<a href=\"{href}\">{Encode(Text(value))}</a>",
            string text when text.Length > MaxShown => $"<span title=\"{Encode(text)}\">{Encode(ShownText.Cut(text, MaxShown))}</span>",
            _ => Encode(Text(value)),
        };
    }

    public static string Text(object? value) => value switch
    {
        null => "",
        // A timestamptz comes back in UTC: said so, since an operator reads it beside a clock in their own zone.
        DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + (time.Kind == DateTimeKind.Utc ? " UTC" : ""),
        TimeSpan span => Duration(span),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Characters a cell shows before it is cut (the whole text in its title).</summary>
    public const int MaxShown = 160;

    public static string Encode(string text) => WebUtility.HtmlEncode(ShownText.WithoutBidiControls(text));

    private static string? Link(OpsTable table, object?[] row, string name, object value, UrlHelper url)
    {
        var id = Text(value);
        return name switch
        {
            "Source" => url.To($"/ops/runs?source={Uri.EscapeDataString(id)}"),
            "Run" or "Last run" => url.To($"/ops/batches?run={id}"),
            "Batch" => url.To($"/ops/files?batch={id}"),
            "File" => url.To($"/ops/files/{id}"),
            "Path" when table.Value(row, "File") is { } file => url.To($"/ops/files/{Text(file)}"),
            _ => null,
        };
    }

    private static string Label(string state)
    {
        var kind = state switch
        {
            "Succeeded" or "Completed" or "ResultsRecorded" or "NoChanges" or "FollowedUp" => "success",
            "Failed" or "FollowUpFailed" => "danger",
            "Throttled" or "Skipped" => "warning",
            "Cancelled" => "default",
            _ => "info",
        };
        return $"<span class=\"label label-{kind}\">{Encode(state)}</span>";
    }

    private static string Counts(string json)
    {
        using var document = JsonDocument.Parse(json);
        var html = new StringBuilder();
        foreach (var count in document.RootElement.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            html.Append(CultureInfo.InvariantCulture, $"{Label(count.Name)}&nbsp;<b>{count.Value.GetInt64()}</b> ");
        }

        return html.ToString();
    }

    private static string Progress(string text, string what)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !long.TryParse(parts[0], CultureInfo.InvariantCulture, out var done) || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var total) || total == 0)
        {
            return Encode(text);
        }

        var percent = (int)(100 * done / total);
        return $"<div class=\"progress\" style=\"margin:0;min-width:120px\" title=\"{done} of {total} {what}\">"
            + $"<div class=\"progress-bar\" role=\"progressbar\" aria-valuenow=\"{percent}\" aria-valuemin=\"0\" aria-valuemax=\"100\" style=\"width:{percent}%\">{done}/{total}</div></div>";
    }

    /// <summary>A duration as a person reads it: "850 ms", "42 s", "3 min 12 s", "2 h 05 min", "3 d 4 h".</summary>
    public static string Duration(TimeSpan span) => span switch
    {
        { Ticks: 0 } => "0 s",
        { TotalSeconds: < 1 } => $"{(int)span.TotalMilliseconds} ms",
        { TotalMinutes: < 1 } => $"{(int)span.TotalSeconds} s",
        { TotalHours: < 1 } => $"{span.Minutes} min {span.Seconds} s",
        { TotalDays: < 1 } => $"{span.Hours} h {span.Minutes:D2} min",
        _ => $"{(int)span.TotalDays} d {span.Hours} h",
    };

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:F1} MiB"),
    };
}
