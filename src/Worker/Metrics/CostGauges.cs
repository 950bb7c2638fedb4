using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>
/// The cost gauges' rows for <see cref="GaugeSnapshot"/> (docs/costs.md, "Metrics"): each configured cap's
/// headroom in its current window (a run cap: what the latest run in its scope left) and the file versions
/// it holds, and the file versions held by a cap per source. Read with the other database-backed gauges.
/// </summary>
internal sealed class CostGauges(CostBudget budget, IPlanPreviewStore store, CostQueries queries)
{
    public const string Headroom = "cap_headroom";
    public const string Held = "files_held";
    public const string HeldByCap = "cap_files_held";

    public async Task<IReadOnlyList<(string Metric, string Label, double Value)>> ReadAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken)
    {
        var rows = new List<(string Metric, string Label, double Value)>();
        var (caps, used) = await store.CapUseAsync(budget.Caps(null), budget.Zone, cancellationToken);
        var heldByCap = caps.Count == 0 ? new Dictionary<string, double>() : await queries.HeldByCapAsync(sources, cancellationToken);
        for (var i = 0; i < caps.Count; i++)
        {
            var cap = caps[i];
            var use = cap.Window == CapWindow.Run ? await queries.LatestRunUseAsync(cap.Scope, cancellationToken) : used[i];
            var label = $"{cap.Scope}\u001f{cap.Window.ToString().ToLowerInvariant()}";
            rows.Add((Headroom, label, (double)Math.Max(0, cap.Limit - use)));
            // Planning takes files while they fit, so a cap that holds files most often still has room, less than the next
            // file needs: its headroom alone seldom reaches 0, and the alert reads the files it holds too (docs/alerting.md).
            rows.Add((HeldByCap, label, heldByCap.GetValueOrDefault(cap.Name)));
        }

        var held = (await queries.HeldBySourceAsync(cancellationToken)).ToDictionary(h => h.Source, h => h.Count, StringComparer.Ordinal);
        rows.AddRange(sources.Select(s => (Held, s, held.GetValueOrDefault(s))));
        return rows;
    }
}
