using System.Text.RegularExpressions;
using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Monitoring;
using BatchOrchestrator.Worker.Costs;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// The Costs page (estimated against billed credits per source and day, the dearest files, drift, files
/// held by a cap with an Approve button for operators) and the Plan page of a source (docs/costs.md).
/// </summary>
internal static class CostPages
{
    public static async Task<OpsPage> CostsAsync(HttpContext http, Match match, bool readOnly)
    {
        var queries = http.RequestServices.GetRequiredService<CostQueries>();
        var costs = http.RequestServices.GetRequiredService<IOptions<CostOptions>>().Value;
        var ct = http.RequestAborted;
        var sources = http.RequestServices.GetRequiredService<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources;
        var held = await queries.HeldAsync([.. sources.Select(s => s.Name)], ct);
        var plans = string.Join(" · ", sources.Select(s => $"<a href=\"{OpsCell.Encode(http.Request.PathBase + "/ops/plan/" + Uri.EscapeDataString(s.Name))}\">Plan {OpsCell.Encode(s.Name)}</a>"));
        return new OpsPage(
            "Costs",
            [
                new OpsSection("Credits per source and day (last 30 days)", await queries.ByDayAsync(30, costs.UsdPer1000Credits, TimeZoneInfo.FindSystemTimeZoneById(costs.TimeZone), ct), Empty: "Nothing planned in the last 30 days."),
                new OpsSection(
                    "Held by a spending cap",
                    held,
                    // An approval is of the run, as `approve <run-id>` is: every file it holds goes on, under this row's cap or another's.
                    row =>
                    {
                        var run = OpsCell.Text(held.Value(row, "Run"));
                        return [new OpsAction($"Approve run {run}", $"/ops/actions/approve/{run}", $"Let every file run {run} holds go on past the caps, under this cap or any other? Their cost still counts.")];
                    },
                    "No file is held by a cap."),
                new OpsSection("Drift: billed above the estimate or at another tier", await queries.DriftAsync(50, ct), Empty: "No drift."),
                new OpsSection("Files that cost most (last 30 days)", await queries.TopFilesAsync(30, 20, ct), Empty: "None yet."),
            ],
            readOnly,
            search: $"<p>{plans}</p>",
            intro: "Estimated credits are reserved when files are planned into batches; billed credits replace them once a follow-up reads what LlamaCloud charged. "
                + $"Days begin at midnight in {OpsCell.Encode(costs.TimeZone)} (Costs:TimeZone), as the Day caps' days do.");
    }

    public static async Task<OpsPage> PlanAsync(HttpContext http, Match match, bool readOnly)
    {
        var name = match.Groups["source"].Value;
        var source = http.RequestServices.GetRequiredService<IOptionsMonitor<SourcesOptions>>().CurrentValue.Find(name);
        if (source is null)
        {
            return new OpsPage($"Plan of {name}", [], readOnly, intro: "No such source.");
        }

        if (PlanPreview.RemoteOnlyNote(source) is { } note)
        {
            return new OpsPage($"Plan of {name}", [], readOnly, intro: note);
        }

        var plan = await http.RequestServices.GetRequiredService<PlanPreview>().PreviewAsync(source, http.RequestAborted);
        return new OpsPage(
            $"Plan of {name}",
            [new OpsSection("Next run", PlanTables.Summary(plan)), new OpsSection("Caps", PlanTables.Caps(plan), Empty: "No cap applies to this source.")],
            readOnly,
            intro: "What the next run would do, computed now without uploading or changing anything. New content is counted before hashing, so these are upper bounds.");
    }
}
