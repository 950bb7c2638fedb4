using System.Globalization;
using System.Text.RegularExpressions;
using BatchOrchestrator.Core.Operations;
using BatchOrchestrator.Core.Retries;
using Hangfire.Dashboard;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// Adds our pages and commands to Hangfire's route table and its top navigation. Both are static in
/// Hangfire, so this runs once per process; every handler resolves its services from the request.
/// </summary>
internal static class OpsRoutes
{
    private const string SourceName = "(?<source>[A-Za-z0-9_-]+)";
    private static readonly Lock Gate = new();
    private static bool registered;

    public static void RegisterOnce()
    {
        lock (Gate)
        {
            if (registered)
            {
                return;
            }

            registered = true;
        }

        var routes = DashboardRoutes.Routes;
        routes.Add(DashboardLanding.OverviewPath, new OpsPageDispatcher(OverviewPages.OverviewAsync));
        routes.Add($"/ops/reprocess/{SourceName}", new OpsPageDispatcher(OverviewPages.ReprocessAsync));
        routes.Add("/ops/sources", new OpsPageDispatcher(OpsPages.SourcesAsync));
        routes.Add("/ops/runs", new OpsPageDispatcher(OpsPages.RunsAsync));
        routes.Add("/ops/batches", new OpsPageDispatcher(OpsPages.BatchesAsync));
        routes.Add("/ops/files", new OpsPageDispatcher(OpsPages.FilesAsync));
        routes.Add("/ops/files/(?<id>[0-9]{1,18})", new OpsPageDispatcher(OpsPages.FileAsync));
        routes.Add("/ops/costs", new OpsPageDispatcher(CostPages.CostsAsync));
        routes.Add($"/ops/plan/{SourceName}", new OpsPageDispatcher(CostPages.PlanAsync));
        routes.Add("/ops/actions/approve/(?<id>[0-9]{1,18})", new OpsActionDispatcher((http, match) =>
            Audited(http, async commands =>
            {
                var count = await commands.ApproveHeldAsync(Id(match), http.RequestAborted);
                return OperatorCommands.DescribeApproval(Id(match), count);
            })));

        routes.Add($"/ops/actions/run/{SourceName}", new OpsActionDispatcher((http, match) =>
            Audited(http, commands =>
            {
                commands.StartRun(match.Groups["source"].Value);
                return Task.FromResult($"A run of {match.Groups["source"].Value} is queued.");
            })));
        routes.Add($"/ops/actions/retry/{SourceName}", new OpsActionDispatcher((http, match) =>
            Audited(http, async commands =>
            {
                var count = await commands.RetryFailedAsync(match.Groups["source"].Value, http.RequestAborted);
                return OperatorCommands.DescribeRetry(match.Groups["source"].Value, count, ForcedRetry.None);
            })));
        routes.Add($"/ops/actions/retry-permanent/{SourceName}", new OpsActionDispatcher((http, match) =>
            Audited(http, async commands =>
            {
                var count = await commands.RetryFailedAsync(match.Groups["source"].Value, ForcedRetry.Permanent, http.RequestAborted);
                return OperatorCommands.DescribeRetry(match.Groups["source"].Value, count, ForcedRetry.Permanent);
            })));
        routes.Add($"/ops/actions/reprocess/{SourceName}", new OpsActionDispatcher((http, match) =>
            Audited(http, async _ =>
            {
                var source = match.Groups["source"].Value;
                var filter = ReprocessFilter.Parse(OpsPages.Query(http, "filter"), OpsPages.Query(http, "before"));
                // The count the operator saw in the preview: a selection that grew since is not sent unseen.
                var expected = int.TryParse(OpsPages.Query(http, "expect"), CultureInfo.InvariantCulture, out var n) ? n : 0;
                var (preview, queued) = await http.RequestServices.GetRequiredService<Reprocessing>().ReprocessAsync(source, filter, expected, http.RequestAborted);
                return preview.RefusedBecause is { } refused
                    ? throw new ArgumentException($"Nothing sent: {refused}.")
                    : queued == 1
                        ? $"1 file of {source} is queued again under {preview.CurrentFingerprint}; a run is queued to send it."
                        : $"{queued} files of {source} are queued again under {preview.CurrentFingerprint}; a run is queued to send them.";
            })));
        routes.Add("/ops/actions/retry-follow-ups/(?<id>[0-9]{1,18})", new OpsActionDispatcher((http, match) =>
            Audited(http, async commands =>
            {
                var count = await commands.RetryFollowUpsAsync(Id(match), http.RequestAborted);
                return $"Batch {Id(match)}: {count} {(count == 1 ? "follow-up" : "follow-ups")} queued again.";
            })));
        routes.Add("/ops/actions/cancel-batch/(?<id>[0-9]{1,18})", new OpsActionDispatcher((http, match) =>
            Audited(http, async commands =>
            {
                var outcome = await commands.CancelBatchAsync(Id(match), http.RequestAborted);
                return $"Batch {Id(match)}: {outcome}";
            })));
        routes.Add("/ops/actions/cancel-jobs/(?<id>[0-9]{1,18})", new OpsActionDispatcher((http, match) =>
            Audited<StuckJobCancelling>(http, async cancelling =>
            {
                var outcome = await cancelling.CancelAsync(Id(match), http.RequestAborted);
                return outcome is null
                    ? $"There is no batch {Id(match)}."
                    : StuckJobCancelling.Describe(Id(match), outcome) + (outcome.Failed.Count == 0 ? "" : $" Not cancelled (try again): {string.Join("; ", outcome.Failed)}");
            })));
        routes.Add("/ops/actions/cancel-run/(?<id>[0-9]{1,18})", new OpsActionDispatcher((http, match) =>
            Audited(http, async commands =>
            {
                var (outcomes, scanning) = await commands.CancelRunAsync(Id(match), http.RequestAborted);
                var batches = string.Join("; ", outcomes.Select(o => $"batch {o.Key}: {o.Value}"));
                return scanning
                    ? OperatorCommands.DescribeCancelWhileScanning(Id(match)) + (outcomes.Count == 0 ? "" : $" {batches}")
                    : outcomes.Count == 0 ? $"Run {Id(match)} has no open batch." : batches;
            })));

        // Overview first, where an operator lands; Hangfire's own items follow it, then our tables.
        NavigationMenu.Items.Insert(0, page => new MenuItem("Overview", page.Url.To(DashboardLanding.OverviewPath))
        {
            Active = page.RequestPath.StartsWith(DashboardLanding.OverviewPath, StringComparison.Ordinal) || page.RequestPath.StartsWith("/ops/reprocess", StringComparison.Ordinal),
        });
        foreach (var (label, path) in new[] { ("Sources", "/ops/sources"), ("Runs", "/ops/runs"), ("Batches", "/ops/batches"), ("Files", "/ops/files"), ("Costs", "/ops/costs") })
        {
            NavigationMenu.Items.Add(page => new MenuItem(label, page.Url.To(path))
            {
                Active = page.RequestPath.StartsWith(path, StringComparison.Ordinal),
            });
        }
    }

    private static long Id(Match match) => long.Parse(match.Groups["id"].Value, CultureInfo.InvariantCulture);

    // Who asked is on every log line of the command, so the audit trail says which user pressed the button.
    private static Task<string> Audited(HttpContext http, Func<OperatorCommands, Task<string>> act) => Audited<OperatorCommands>(http, act);

    /// <summary>Acts through <typeparamref name="TCommands"/>, its log lines naming the operator who asked.</summary>
    private static async Task<string> Audited<TCommands>(HttpContext http, Func<TCommands, Task<string>> act)
        where TCommands : notnull
    {
        var logger = http.RequestServices.GetRequiredService<ILogger<TCommands>>();
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Operator"] = DashboardAccess.CallerOf(http) });
        return await act(http.RequestServices.GetRequiredService<TCommands>());
    }
}
