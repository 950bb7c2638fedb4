using System.Globalization;
using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.Operations;
using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Monitoring;
using BatchOrchestrator.Worker.Costs;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>The cost verbs: <c>plan &lt;source&gt;</c> (what the next run would do, changing nothing), <c>costs</c>, and <c>approve &lt;run&gt;</c>.</summary>
internal static class CostVerbs
{
    public static async Task<int> PlanAsync(IServiceProvider services, VerbConsole console, string sourceName, CancellationToken cancellationToken)
    {
        var source = services.GetRequiredService<IOptions<SourcesOptions>>().Value.Require(sourceName);
        if (PlanPreview.RemoteOnlyNote(source) is { } note)
        {
            await console.Out.WriteLineAsync(note);
            return 0;
        }

        var plan = await services.GetRequiredService<PlanPreview>().PreviewAsync(source, cancellationToken);
        VerbTable.Write(console, $"Plan of the next run of {source.Name} (nothing is uploaded or changed)", PlanTables.Summary(plan), "nothing");
        VerbTable.Write(console, "Caps", PlanTables.Caps(plan), "no cap applies");
        await console.Out.WriteLineAsync("New content is counted before hashing: a file whose content is already known is included, so these are upper bounds.");
        if (plan.Settling > 0)
        {
            await console.Out.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{plan.Settling} files are still settling (seen once, or changed since): the run after the next look a settle window later takes them, ~{plan.SettlingCredits:0.##} credits more, before any cap."));
        }
        return 0;
    }

    public static async Task<int> CostsAsync(IServiceProvider services, VerbConsole console, CancellationToken cancellationToken)
    {
        var queries = services.GetRequiredService<CostQueries>();
        var costs = services.GetRequiredService<IOptions<CostOptions>>().Value;
        VerbTable.Write(
            console,
            $"Credits per source and day (last 30 days; days begin at midnight in {costs.TimeZone}, as the Day caps' days do)",
            await queries.ByDayAsync(30, costs.UsdPer1000Credits, TimeZoneInfo.FindSystemTimeZoneById(costs.TimeZone), cancellationToken),
            "nothing planned yet");
        VerbTable.Write(console, "Files that cost most (last 30 days)", await queries.TopFilesAsync(30, 10, cancellationToken), "none");
        VerbTable.Write(console, "Drift", await queries.DriftAsync(20, cancellationToken), "none");
        var configured = services.GetRequiredService<IOptions<SourcesOptions>>().Value.Sources.Select(s => s.Name).ToList();
        VerbTable.Write(console, "Held by a cap", await queries.HeldAsync(configured, cancellationToken), "none");
        return 0;
    }

    public static async Task<int> ApproveAsync(IServiceProvider services, VerbConsole console, long runId, CancellationToken cancellationToken)
    {
        var count = await services.GetRequiredService<OperatorCommands>().ApproveHeldAsync(runId, cancellationToken);
        if (count == 0 && !await services.GetRequiredService<OpsQueries>().RunExistsAsync(runId, cancellationToken))
        {
            throw UnknownId.Run(services, runId);
        }

        await console.Out.WriteLineAsync(OperatorCommands.DescribeApproval(runId, count));
        return 0;
    }
}
