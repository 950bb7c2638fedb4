using BatchOrchestrator.Core.Pipeline;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Hands out the follow-up of every batch whose next look is due, on its source's queue. The record
/// step hands the first look out itself; this catches the later looks and any hand-off that was lost.
/// One round trip; nothing when follow-up is off.
/// </summary>
internal sealed class FollowUpDispatcher(IFollowUpStore store, IPipelineScheduler scheduler, IOptions<FollowUpOptions> options, Leases.LeaseManager leases)
{
    public async Task DispatchDueAsync(int max, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        // Claimed for a lease's time to live: a hand-out lost with its job (a crash, a job that failed while the
        // database was cut off) is handed out again as soon as that job's lease would have lapsed. One still at
        // work holds its lease, so a second hand-out finds it held, steps aside and looks again later.
        foreach (var due in await store.ClaimDueAsync(max, leases.TimeToLive, cancellationToken))
        {
            scheduler.EnqueueFollowUp(due.Source, due.BatchId);
        }
    }
}
