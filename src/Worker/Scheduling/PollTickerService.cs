using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Core.Ticks;

namespace BatchOrchestrator.Worker.Scheduling;

/// <summary>
/// Runs the poll ticker on instances that serve the default queue, where poll ticks run. It only decides
/// when to enqueue a tick; the tick itself stays a Hangfire job.
/// </summary>
internal sealed class PollTickerService(PollTicker ticker, ServedQueues served) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!served.Serves(SourceOptions.DefaultQueue))
        {
            return; // RecurringJobsRegistration already warns about an instance that does not serve it
        }

        try
        {
            await ticker.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the service is stopping: an ordinary end (the exit code reads a cancelled service as a failure)
        }
    }
}
