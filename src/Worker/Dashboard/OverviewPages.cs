using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BatchOrchestrator.Core.Operations;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Monitoring;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// The dashboard's landing page ("what happened, and does anything need me?") and the reprocess preview
/// it links to. Tables come from <see cref="OverviewQueries"/>, the list from <see cref="AttentionQueries"/>,
/// the charts from our tables drawn as inline SVG (<see cref="SvgChart"/>).
/// </summary>
internal static class OverviewPages
{
    public const int ChartDays = 30;

    // "Needs a person" (here and in 'status') lists webhooks missed this recently; older ones are history (the counter keeps them).
    internal static readonly TimeSpan RecentWebhooks = TimeSpan.FromHours(24);

    public static async Task<OpsPage> OverviewAsync(HttpContext http, Match match, bool readOnly)
    {
        var ct = http.RequestAborted;
        var services = http.RequestServices;
        var sources = services.GetRequiredService<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources;
        var names = sources.Select(s => s.Name).ToList();
        var overview = services.GetRequiredService<OverviewQueries>();
        var attention = await services.GetRequiredService<AttentionQueries>().NeedsAPersonAsync(
            [.. sources.Select(s => (s.Name, ConfigurationFingerprint.Of(s), s.MaxAttempts))], RecentWebhooks, ct);
        var source = OpsPages.Query(http, "source");
        var sections = new List<OpsSection>
        {
            new("Last run with changes", (await overview.LastRunsAsync(names, ct)).WithoutEmpty(OverviewQueries.HiddenWhileEmpty), Empty: "No sources are configured."),
            new("Last 24 hours", (await overview.LastDayAsync(names, ct)).WithoutEmpty(OverviewQueries.HiddenWhileEmpty), Empty: "No sources are configured."),
        };
        // The configured sources, as the tables above and the gauges count them; narrowed, the one asked for, even a removed one.
        IReadOnlyList<string> charted = source is null ? names : [source];
        var charts = new StringBuilder($"<h3>Last {ChartDays} days{(source is null ? "" : $" of {OpsCell.Encode(source)}")}</h3>");
        // Their days are UTC days (OverviewQueries), where the Costs page counts days in Costs:TimeZone: each says which.
        charts.Append(SvgChart.StackedBars(
            "chart-outcomes", "Files per day by outcome (UTC days)", await overview.DailyOutcomesAsync(ChartDays, charted, ct),
            [("Succeeded", "#5cb85c"), ("Failed", "#d9534f"), ("Skipped", "#f0ad4e")]));
        charts.Append(SvgChart.Lines(
            "chart-durations", "Run durations per day (UTC days; runs that found work)", await overview.DailyRunDurationsAsync(ChartDays, charted, ct),
            [("Median seconds", "#337ab7"), ("Longest seconds", "#8e44ad")], seconds => OpsCell.Duration(TimeSpan.FromSeconds(seconds))));
        var intro = $"What happened, and whether anything needs you. Hangfire's own pages: <a href=\"{OpsPages.Url(http, "/jobs/enqueued")}\">Jobs</a> · "
            + $"<a href=\"{OpsPages.Url(http, "/retries")}\">Retries</a> · <a href=\"{OpsPages.Url(http, "/recurring")}\">Recurring jobs</a> · "
            + $"<a href=\"{OpsPages.Url(http, "/servers")}\">Servers</a> · <a href=\"{OpsPages.Url(http, DashboardLanding.RealtimePath)}\" id=\"ops-realtime\">Realtime graph</a>";
        return new OpsPage("Overview", sections, readOnly, search: NeedsAPerson(http, attention), intro: intro, after: charts.ToString());
    }

    public static async Task<OpsPage> ReprocessAsync(HttpContext http, Match match, bool readOnly)
    {
        var source = match.Groups["source"].Value;
        var (glob, before) = (OpsPages.Query(http, "filter"), OpsPages.Query(http, "before"));
        var form = $"""
            <form class="form-inline" method="get" style="margin-bottom:15px">
              <input type="text" class="form-control" name="filter" id="ops-reprocess-filter" placeholder="path glob, e.g. invoices/**/*.pdf" value="{OpsCell.Encode(glob ?? "")}" style="min-width:280px">
              <input type="text" class="form-control" name="before" id="ops-reprocess-before" placeholder="processed before, e.g. 2026-05-01" value="{OpsCell.Encode(before ?? "")}">
              <button type="submit" class="btn btn-default">Preview</button>
            </form>
            """;
        ReprocessPreview preview;
        try
        {
            preview = await http.RequestServices.GetRequiredService<Reprocessing>().PreviewAsync(source, ReprocessFilter.Parse(glob, before), http.RequestAborted);
        }
        catch (ArgumentException ex)
        {
            return new OpsPage($"Reprocess {source}", [], readOnly, search: form + $"<div class=\"alert alert-danger\">{OpsCell.Encode(ex.Message)}</div>");
        }

        var table = new OpsTable(["Processed under", "Files"], [.. preview.ProcessedUnder.Select(p => new object?[] { p.Key, (long)p.Value })]);
        var summary = new StringBuilder(form);
        summary.Append(CultureInfo.InvariantCulture, $"<p id=\"ops-reprocess-summary\">Selected: <b>{preview.Selected}</b> of {preview.Stale} files processed under an older configuration; "
            + $"<b>{preview.Sendable}</b> can be sent again (the rest are no longer in the folder as they were, or still wait for their follow-up). "
            + $"What it would cost: {OpsCell.Encode(preview.Cost ?? "not known (no cost estimate is configured)")}. Sending them again is paid again.</p>");
        if (preview.RefusedBecause is { } refused)
        {
            summary.Append(CultureInfo.InvariantCulture, $"<div class=\"alert alert-warning\">Not sent from here: {OpsCell.Encode(refused)}.</div>");
        }
        else if (preview.Sendable > 0 && !readOnly)
        {
            var action = $"/ops/actions/reprocess/{Uri.EscapeDataString(source)}?expect={preview.Sendable}"
                + (glob is null ? "" : $"&filter={Uri.EscapeDataString(glob)}") + (before is null ? "" : $"&before={Uri.EscapeDataString(before)}");
            summary.Append(CultureInfo.InvariantCulture, $"<p>{OpsActions.Button(
                OpsPages.Url(http, action),
                $"Send {preview.Sendable} files again under {preview.CurrentFingerprint}",
                "btn-warning",
                confirm: $"Send {preview.Sendable} files of {source} to LlamaCloud again under {preview.CurrentFingerprint}? They are paid again.",
                id: "ops-reprocess")}</p>");
        }

        return new OpsPage(
            $"Reprocess {source}",
            [new OpsSection("Files processed under an older configuration", table, Empty: "None: every recorded file was processed under the current configuration.")],
            readOnly,
            search: summary.ToString(),
            intro: $"Current configuration: <b>{OpsCell.Encode(preview.CurrentFingerprint)}</b>. Nothing is sent again unless you press the button (or run 'reprocess').");
    }

    internal static List<(string Name, string Fingerprint)> Configured(HttpContext http) =>
        [.. http.RequestServices.GetRequiredService<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources.Select(s => (s.Name, ConfigurationFingerprint.Of(s)))];

    private static string NeedsAPerson(HttpContext http, OpsTable attention)
    {
        var items = AttentionCatalogue.Describe(attention).ToList();
        if (items.Count == 0)
        {
            return "<div class=\"alert alert-success\" id=\"ops-attention-none\">Nothing needs a person.</div>";
        }

        var html = new StringBuilder($"<h3>Needs a person ({items.Count})</h3><ul class=\"list-group\" id=\"ops-attention\">");
        foreach (var (item, since) in items)
        {
            var when = since is DateTime time ? string.Create(CultureInfo.InvariantCulture, $" <span class=\"text-muted\">since {time:yyyy-MM-dd HH:mm} UTC</span>") : "";
            html.Append(CultureInfo.InvariantCulture, $"<li class=\"list-group-item list-group-item-warning\">{OpsCell.Encode(item.Text)}{when} → <a href=\"{OpsPages.Url(http, item.LinkPath)}\">{OpsCell.Encode(item.LinkLabel)}</a></li>");
        }

        return html.Append("</ul>").ToString();
    }
}
