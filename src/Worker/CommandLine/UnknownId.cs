using System.Globalization;
using BatchOrchestrator.Worker.Dashboard;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// A run or batch id the database does not hold: a mistyped or stale id, the same mistake as a source no
/// <c>Sources:N:Name</c> has, so it is refused as one (<see cref="VerbExit"/>: exit 2, one line on stderr naming the
/// verb), saying where the ids that exist are listed (docs/operations.md, "Command line").
/// </summary>
internal static class UnknownId
{
    /// <summary>How many runs <c>status</c> lists: the place to look first for a run's id.</summary>
    public const int RunsInStatus = 10;

    public static ArgumentException Run(IServiceProvider services, long runId) => new(string.Create(
        CultureInfo.InvariantCulture,
        $"there is no run {runId} ('status' lists the {RunsInStatus} latest runs with changes, the dashboard every run at {Page(services, "runs")})"));

    public static ArgumentException Batch(IServiceProvider services, long batchId) => new(string.Create(
        CultureInfo.InvariantCulture,
        $"there is no batch {batchId} ('status' lists the open batches, the dashboard every batch at {Page(services, "batches")})"));

    private static string Page(IServiceProvider services, string page) =>
        $"{services.GetRequiredService<IOptions<OpsDashboardOptions>>().Value.Path.TrimEnd('/')}/ops/{page}";
}
