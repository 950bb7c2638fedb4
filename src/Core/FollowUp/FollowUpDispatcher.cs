using BatchOrchestrator.Core.Pipeline;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Hands out the follow-up of every batch whose next look is due, on its source's queue. The record
/// step hands the first look out itself; this catches the later looks and any hand-off that was lost.
/// One round trip; nothing when follow-up is off.
/// </summary>
internal sealed class FollowUpDispatcher(IFollowUpStore store, IPipelineScheduler scheduler, IOptions<FollowUpOptions> options)
{
    // A follow-up job fetches and writes many results; long enough for one to finish before it is handed out again.
    private static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(5);

    public async Task DispatchDueAsync(int max, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        foreach (var due in await store.ClaimDueAsync(max, ClaimTimeout, cancellationToken))
        {
            scheduler.EnqueueFollowUp(due.Source, due.BatchId);
        }
    }
}
