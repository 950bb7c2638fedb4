using System.Globalization;
using System.Text;
using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// Charts drawn on the server as inline SVG: no script, nothing to load, readable in any browser and in a
/// screenshot. A chart reads a query's table whose first column is the day and whose other columns are
/// series; every bar and point carries its day, series and value (and a tooltip) so tests read them back.
/// </summary>
internal static class SvgChart
{
    private static readonly int[] Steps = [1, 2, 5, 10];
    private static readonly double[] GridLines = [0, 0.5, 1];
    private const double Width = 900, Height = 220, Left = 56, Right = 12, Top = 12, Bottom = 28;

    public static string StackedBars(string id, string title, OpsTable table, IReadOnlyList<(string Series, string Colour)> series)
    {
        var days = Days(table);
        var totals = table.Rows.Select(row => series.Sum(s => Number(table.Value(row, s.Series)))).ToList();
        var max = Nice(totals.DefaultIfEmpty(0).Max());
        var svg = Open(id, title, series, max, v => v.ToString(v % 1 == 0 ? "N0" : "0.#", CultureInfo.InvariantCulture));
        var slot = (Width - Left - Right) / Math.Max(1, days.Count);
        for (var i = 0; i < days.Count; i++)
        {
            var y = Height - Bottom;
            var tip = string.Join(", ", series.Select(s => $"{Number(table.Value(table.Rows[i], s.Series)):N0} {s.Series.ToLowerInvariant()}"));
            foreach (var (name, colour) in series)
            {
                var value = Number(table.Value(table.Rows[i], name));
                var h = value / max * (Height - Top - Bottom);
                y -= h;
                svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{Left + i * slot + slot * 0.15:F1}" y="{y:F1}" width="{slot * 0.7:F1}" height="{h:F1}" fill="{colour}" data-day="{days[i]}" data-series="{name}" data-value="{value}"><title>{days[i]}: {tip}</title></rect>""");
            }

            XLabel(svg, i, days, slot);
        }

        return svg.Append("</svg></figure>").ToString();
    }

    /// <summary>
    /// A line per series; a day without a value (null) has no point and breaks the line, so that a day without runs does
    /// not read as runs of no length. Consecutive days share their index minus their place among the points.
    /// </summary>
    public static string Lines(string id, string title, OpsTable table, IReadOnlyList<(string Series, string Colour)> series, Func<double, string> format)
    {
        var days = Days(table);
        var max = Nice(table.Rows.SelectMany(row => series.Select(s => Number(table.Value(row, s.Series)))).DefaultIfEmpty(0).Max());
        var svg = Open(id, title, series, max, format);
        var slot = (Width - Left - Right) / Math.Max(1, days.Count);
        foreach (var ((name, colour), order) in series.Select((s, i) => (s, i)))
        {
            // Each series' dots are drawn over the ones before, a size smaller, so that equal values (a day's median and
            // longest run when it had one run) show as a dot in a ring rather than one hiding the other.
            var radius = 3 + 1.5 * (series.Count - 1 - order);
            var points = table.Rows
                .Select((row, i) => (Index: i, Value: table.Value(row, name)))
                .Where(p => p.Value is not null)
                .Select(p => (p.Index, X: Left + p.Index * slot + slot / 2, Y: Height - Bottom - Number(p.Value) / max * (Height - Top - Bottom), Value: Number(p.Value), Day: days[p.Index]))
                .ToList();
            foreach (var run in points.Select((p, k) => (Gap: p.Index - k, Point: p)).GroupBy(x => x.Gap, x => x.Point).Where(run => run.Count() > 1))
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<polyline fill="none" stroke="{colour}" stroke-width="2" points="{string.Join(' ', run.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X:F1},{p.Y:F1}")))}"/>""");
            }

            foreach (var p in points)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<circle cx="{p.X:F1}" cy="{p.Y:F1}" r="{radius:F1}" fill="{colour}" data-day="{p.Day}" data-series="{name}" data-value="{p.Value}"><title>{p.Day}: {name.ToLowerInvariant()} {format(p.Value)}</title></circle>""");
            }
        }

        for (var i = 0; i < days.Count; i++)
        {
            XLabel(svg, i, days, slot);
        }

        return svg.Append("</svg></figure>").ToString();
    }

    private static StringBuilder Open(string id, string title, IReadOnlyList<(string Series, string Colour)> series, double max, Func<double, string> format)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<figure class="ops-chart" id="{id}" style="margin:0 0 24px"><figcaption><b>{OpsCell.Encode(title)}</b> """);
        foreach (var (name, colour) in series)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<span style="margin-left:12px"><span style="display:inline-block;width:10px;height:10px;background:{colour}"></span> {OpsCell.Encode(name)}</span>""");
        }

        svg.Append(CultureInfo.InvariantCulture, $"""</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {Width} {Height}" width="100%" role="img" aria-label="{OpsCell.Encode(title)}" style="max-width:{Width}px;font:11px sans-serif">""");
        foreach (var fraction in GridLines)
        {
            var y = Height - Bottom - fraction * (Height - Top - Bottom);
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" x2="{Width - Right}" y1="{y:F1}" y2="{y:F1}" stroke="#ddd"/><text x="{Left - 6}" y="{y + 4:F1}" text-anchor="end" fill="#777">{OpsCell.Encode(format(max * fraction))}</text>""");
        }

        return svg;
    }

    private static void XLabel(StringBuilder svg, int i, List<string> days, double slot)
    {
        if ((days.Count - 1 - i) % 5 == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Left + i * slot + slot / 2:F1}" y="{Height - Bottom + 16}" text-anchor="middle" fill="#777">{days[i][5..]}</text>""");
        }
    }

    private static List<string> Days(OpsTable table) => [.. table.Rows.Select(row => row[0] switch
    {
        DateTime d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        var other => OpsCell.Text(other),
    })];

    private static double Number(object? value) => value is null ? 0 : Convert.ToDouble(value, CultureInfo.InvariantCulture);

    // The axis' top: 1, 2 or 5 times a power of ten, at least the largest value (and never 0).
    private static double Nice(double max)
    {
        if (max <= 0)
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        return Steps.Select(m => m * power).First(top => top >= max);
    }
}
