using BatchOrchestrator.Core.Pipeline;

namespace BatchOrchestrator.Core.Uploads;

/// <summary>
/// How many batches of each source upload at once in this process (<see cref="PipelineOptions.BatchesUploadingPerSource"/>).
/// A batch over the limit does not wait in its job (that would hold a Hangfire worker, and enough of them
/// would keep another source's upload job from starting at all): it is noted, its job ends, and the batch
/// that frees the slot hands the lowest noted one on. A batch noted here and lost (the process stopped)
/// is handed out again by the poll tick's stalled-step sweep.
/// </summary>
internal sealed class UploadSlots(IOptions<PipelineOptions> options)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, (HashSet<long> Uploading, SortedSet<long> Waiting)> sources = new(StringComparer.Ordinal);

    /// <summary>True when the batch may upload now (then <see cref="Leave"/> must follow); false when it was noted to wait, or is uploading already.</summary>
    public bool TryEnter(string source, long batchId)
    {
        lock (gate)
        {
            var slots = For(source);
            if (slots.Uploading.Contains(batchId))
            {
                return false; // another job of this process is uploading it
            }

            if (slots.Uploading.Count >= options.Value.BatchesUploadingPerSource)
            {
                slots.Waiting.Add(batchId);
                return false;
            }

            slots.Waiting.Remove(batchId);
            slots.Uploading.Add(batchId);
            return true;
        }
    }

    /// <summary>The batch stopped uploading (done, deferred or failed); returns the noted batch to hand on, if any.</summary>
    public long? Leave(string source, long batchId)
    {
        lock (gate)
        {
            var slots = For(source);
            slots.Uploading.Remove(batchId);
            if (slots.Waiting.Count == 0 || slots.Uploading.Count >= options.Value.BatchesUploadingPerSource)
            {
                return null;
            }

            var next = slots.Waiting.Min;
            slots.Waiting.Remove(next);
            return next;
        }
    }

    /// <summary>
    /// <see cref="Leave"/>, then enqueues the upload of the batch handed on. When the job store cannot take it
    /// (a database outage) the batch is noted again for the next hand-on, and the stalled-step sweep hands it out
    /// if none comes: the leaving step's own outcome must not be lost to this.
    /// </summary>
    public void LeaveAndHandOn(string source, long batchId, IPipelineScheduler scheduler, ILogger logger)
    {
        if (Leave(source, batchId) is not { } next)
        {
            return;
        }

        try
        {
            scheduler.EnqueueUpload(source, next);
        }
        catch (Exception ex)
        {
            lock (gate)
            {
                For(source).Waiting.Add(next);
            }

            logger.LogWarning("Could not hand the upload of batch {BatchId} on: {Reason}", next, ex.Message);
        }
    }

    private (HashSet<long> Uploading, SortedSet<long> Waiting) For(string source)
    {
        if (!sources.TryGetValue(source, out var slots))
        {
            slots = ([], []);
            sources.Add(source, slots);
        }

        return slots;
    }
}
