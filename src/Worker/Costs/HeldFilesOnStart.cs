using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Costs;

/// <summary>
/// At start, each source holding files under a cap gets a run at once when the <c>Costs</c> section differs from the
/// one it was last planned under (each run records it). The section is read once, at start, so a restart is how an operator raises or
/// removes a cap; without this run the files it held would wait for their source's next scheduled run, a night away on
/// a nightly schedule, and their held reason would go on naming the old limit (docs/costs.md, "Held files go on").
/// A start with the section unchanged starts no run here: an unwatched source restarted in a loop must not spend a run
/// cap's worth each time (a watched one is scanned at each start for files that arrived while it was down, and only a
/// day or month cap bounds that).
/// </summary>
internal sealed class HeldFilesOnStart(
    IOptions<CostOptions> costs,
    IOptions<SourcesOptions> sources,
    IRunStore runs,
    IPipelineScheduler scheduler,
    ILogger<HeldFilesOnStart> logger) : BackgroundService
{
    // While the database cannot be read at start, how long between tries.
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StartRunsAsync(stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopped soon after the start, its look still under way: a clean stop, not a service that failed (the exit
                // code tells them apart by how each background service ended).
                return;
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Whether a changed Costs section frees held files could not be read at start ({Reason}); trying again in {Delay}", ex.Message, RetryAfterFailure);
                await Task.Delay(RetryAfterFailure, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task StartRunsAsync(CancellationToken cancellationToken)
    {
        var configured = sources.Value.Sources.Select(s => s.Name).ToList();
        var holding = await runs.SourcesHoldingFilesUnderOtherCostsAsync(configured, costs.Value.Fingerprint(), cancellationToken);
        foreach (var source in holding)
        {
            scheduler.EnqueueRun(source, RunTrigger.Start);
        }

        if (holding.Count > 0)
        {
            logger.LogInformation("The Costs section changed since a cap held files of {Sources}: a run of each plans them again under it", string.Join(", ", holding));
        }
        else
        {
            logger.LogDebug("No source holds files under a Costs section other than this one: no run started for held files");
        }
    }
}
