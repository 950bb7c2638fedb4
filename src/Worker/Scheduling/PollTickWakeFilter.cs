using BatchOrchestrator.Core.Ticks;
using BatchOrchestrator.Worker.Jobs;
using Hangfire.Server;

namespace BatchOrchestrator.Worker.Scheduling;

/// <summary>
/// Wakes the poll ticker whenever a job of this instance ends: a submit makes a batch due for its first
/// poll, a record makes follow-ups due, a tick's end lets the next one be handed out.
/// </summary>
internal sealed class PollTickWakeFilter(PollTicker ticker) : IServerFilter
{
    public void OnPerforming(PerformingContext context)
    {
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.BackgroundJob.Job.Type == typeof(PollBatchesJob))
        {
            ticker.TickEnded();
        }
        else
        {
            ticker.Wake();
        }
    }
}
