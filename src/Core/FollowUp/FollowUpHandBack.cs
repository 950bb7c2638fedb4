using System.Collections.Concurrent;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// A follow-up of a source this instance is not configured with, while another instance is alive (a deploy under
/// way): that one may have the source, and with it the sinks (<c>FollowUpSinks</c>), the output folder (<c>OutputPath</c>)
/// and the fallback configuration its results are owed. Delivered here, they would be written once, for good, where a
/// removed source's go (docs/operations.md, "A source removed while its batches are under way"); so the look is put back
/// for whichever instance takes it next. Alone, or once it has put the batch's follow-up back
/// <see cref="HandBack.FollowUpsAtMost"/> times itself (counted in memory: a restart starts again), this instance
/// delivers them as a removed source's.
/// </summary>
internal sealed class FollowUpHandBack(
    IOptionsMonitor<SourcesOptions> sources, IServingInstances instances, IFollowUpStore store, TimeProvider time, ILogger<FollowUpHandBack> logger)
{
    private readonly ConcurrentDictionary<long, int> handedBack = new();

    /// <summary>True when the look was put back for another instance, and nothing is to be looked at here.</summary>
    public async Task<bool> HandsBackAsync(FollowUpWork work, Leases.Lease fence, CancellationToken cancellationToken)
    {
        var (batchId, source) = (work.BatchId, work.Source);
        if (sources.CurrentValue.Find(source) is not null || await instances.CountAsync(cancellationToken) is not (> 1 and var serving))
        {
            return false;
        }

        if (handedBack.AddOrUpdate(batchId, 1, (_, times) => Math.Min(times, HandBack.FollowUpsAtMost) + 1) > HandBack.FollowUpsAtMost)
        {
            return false; // a source no instance knows any more: its results go where a removed source's do, from now on
        }

        // Put back like a pause's: neither a look nor a failed attempt is counted, so the back-off stays where it was.
        await store.PutBackAsync(batchId, time.GetUtcNow() + HandBack.After, fence, cancellationToken);
        logger.LogWarning(
            "Follow-up of batch {BatchId} of {Source}: this instance is not configured with the source, and {Count} other instances are running and may be; "
            + "it looks again in {Delay}, so that the results go to the source's own sinks. Keep one Sources configuration on every instance",
            batchId, source, serving - 1, HandBack.After);
        return true;
    }
}
