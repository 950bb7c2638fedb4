using System.Text.Json;
using BatchOrchestrator.Persistence.Monitoring;
using BatchOrchestrator.Worker.Dashboard;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>Writes a query's result as an aligned text table: the same columns as the dashboard's pages.</summary>
internal static class TextTable
{
    private const int MaxWidth = 48;

    public static void Write(TextWriter output, string heading, OpsTable table, string empty)
    {
        output.WriteLine(heading);
        if (table.Rows.Count == 0)
        {
            output.WriteLine($"  ({empty})");
            output.WriteLine();
            return;
        }

        var cells = table.Rows.Select(row => row.Select((value, i) => Cell(table.Columns[i], value)).ToArray()).ToList();
        var widths = table.Columns.Select((column, i) => Math.Max(column.Length, cells.Max(r => r[i].Length))).ToArray();
        output.WriteLine("  " + string.Join("  ", table.Columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        output.WriteLine("  " + string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in cells)
        {
            output.WriteLine("  " + string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }

        output.WriteLine();
    }

    private static string Cell(string column, object? value)
    {
        var text = value switch
        {
            null => "-",
            string json when column.EndsWith("by state", StringComparison.Ordinal) => Counts(json),
            _ => OpsCell.Text(value),
        };
        text = text.ReplaceLineEndings(" ");
        return text.Length > MaxWidth ? text[..(MaxWidth - 1)] + "…" : text;
    }

    private static string Counts(string json)
    {
        using var document = JsonDocument.Parse(json);
        return string.Join(' ', document.RootElement.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value.GetInt64()}"));
    }
}
