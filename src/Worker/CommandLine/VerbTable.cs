using System.Text.Json;
using BatchOrchestrator.Persistence.Monitoring;
using BatchOrchestrator.Worker.Dashboard;
using Spectre.Console;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// Writes a query's result as a table with the dashboard's columns: bordered and coloured by state on
/// a terminal, borderless plain text (one line per row) in a file or pipe.
/// </summary>
internal static class VerbTable
{
    private const int MaxWidth = 48;

    /// <param name="whole">Columns never cut short on a terminal (the table wraps them instead): sentences to read whole.</param>
    public static void Write(VerbConsole console, string heading, OpsTable table, string empty, IReadOnlySet<string>? whole = null)
    {
        var ansi = console.Ansi;
        ansi.Write(new Text(heading + Environment.NewLine, console.IsTerminal ? new Style(decoration: Decoration.Bold) : Style.Plain));
        if (table.Rows.Count == 0)
        {
            ansi.Write(new Text($"  ({empty}){Environment.NewLine}{Environment.NewLine}"));
            return;
        }

        // In a pipe: no border characters at all, columns two spaces apart, a row per line (grep and awk read it).
        var grid = new Table { Border = console.IsTerminal ? TableBorder.Rounded : TableBorder.None };
        foreach (var column in table.Columns)
        {
            grid.AddColumn(console.IsTerminal
                ? new TableColumn(new Text(column, new Style(decoration: Decoration.Bold)))
                : new TableColumn(new Text(column)) { NoWrap = true, Padding = new Padding(0, 0, 2, 0) });
        }

        foreach (var row in table.Rows)
        {
            grid.AddRow([.. row.Select((value, i) => (Spectre.Console.Rendering.IRenderable)Cell(table.Columns[i], value, console.IsTerminal, console.IsTerminal && whole?.Contains(table.Columns[i]) != true ? MaxWidth : int.MaxValue))]);
        }

        // Without a border Spectre drops a column's left padding, so the gap is each column's right padding and the indent a Padder.
        ansi.Write(console.IsTerminal ? grid : new Padder(grid, new Padding(2, 0, 0, 0)));
        ansi.WriteLine();
    }

    /// <summary>A cell's text, cut to <paramref name="width"/> on a terminal only: a script reading a pipe gets every reason whole.</summary>
    private static Text Cell(string column, object? value, bool colour, int width)
    {
        var text = value switch
        {
            null => "-",
            string json when column.EndsWith("by state", StringComparison.Ordinal) => Counts(json),
            _ => OpsCell.Text(value),
        };
        text = Printable(text.ReplaceLineEndings(" "));
        text = ShownText.Cut(text, width);
        return new Text(text, colour && column.EndsWith("State", StringComparison.OrdinalIgnoreCase) ? StateStyle(text) : Style.Plain);
    }

    /// <summary>
    /// Any other control character as '?', as <c>ls</c> shows one on a terminal: a file name may hold any byte but '/', and
    /// an escape sequence in a path (in a reason, an error, the dearest files) would be a command to the terminal, a tab
    /// or vertical tab would split a pipe's row. Bidirectional overrides too, which would reorder what a name shows
    /// (<see cref="ShownText"/>). The file's page search finds the name as it is.
    /// </summary>
    private static string Printable(string text) => ShownText.Marked(text, c => char.IsControl(c) || ShownText.IsBidiControl(c));

    private static Style StateStyle(string state) => state switch
    {
        "Succeeded" or "Completed" or "ResultsRecorded" or "NoChanges" or "FollowedUp" => new Style(Color.Green),
        "Failed" or "FollowUpFailed" => new Style(Color.Red),
        "Throttled" or "Skipped" => new Style(Color.Yellow),
        _ => Style.Plain,
    };

    private static string Counts(string json)
    {
        using var document = JsonDocument.Parse(json);
        return string.Join(' ', document.RootElement.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value.GetInt64()}"));
    }
}
