using BatchOrchestrator.Core.Pipeline;

namespace BatchOrchestrator.Core.Uploads;

/// <summary>
/// How many batches of each source upload at once in this process (<see cref="PipelineOptions.BatchesUploadingPerSource"/>).
/// A batch over the limit does not wait in its job (that would hold a Hangfire worker, and enough of them
/// would keep another source's upload job from starting at all): its job ends, and the batch that frees the
/// slot hands it on. The queue of waiting batches is the database's, not this process's memory: the source's
/// planned batches, lowest id first. So a restart, or a batch planned by another instance, strands nothing;
/// only a crash between a batch's end and its hand-on leaves the next one to the stalled-step sweep.
/// </summary>
internal sealed class UploadSlots(IOptions<PipelineOptions> options, IUploadStore store, IPipelineScheduler scheduler, ILogger<UploadSlots> logger)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, HashSet<long>> uploading = new(StringComparer.Ordinal);

    /// <summary>True when the batch may upload now (then <see cref="LeaveAsync"/> must follow); false when the source's slots are taken, or it is uploading already.</summary>
    public bool TryEnter(string source, long batchId)
    {
        lock (gate)
        {
            var batches = For(source);
            if (batches.Contains(batchId) || batches.Count >= options.Value.BatchesUploadingPerSource)
            {
                return false;
            }

            batches.Add(batchId);
            return true;
        }
    }

    /// <summary>
    /// The batch stopped uploading, and the source's next planned batch is handed the freed slot as
    /// <paramref name="handOn"/> says. Never throws: the step's own outcome must not be lost to this, and a
    /// hand-on that cannot be made (the next batch not found: a database outage) is left to the stalled-step sweep.
    /// </summary>
    public async Task LeaveAsync(string source, long batchId, SlotHandOn handOn, CancellationToken cancellationToken)
    {
        long[] stillUploading;
        lock (gate)
        {
            var batches = For(source);
            batches.Remove(batchId);
            if (handOn == SlotHandOn.None || batches.Count >= options.Value.BatchesUploadingPerSource)
            {
                return;
            }

            stillUploading = [batchId, .. batches];
        }

        try
        {
            var after = handOn == SlotHandOn.NextAfterThis ? batchId : 0;
            if (await store.NextPlannedAsync(source, after, stillUploading, cancellationToken) is { } next)
            {
                scheduler.EnqueueUpload(source, next);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The service is stopping: nothing an operator need act on, and the same sweep finds the next batch.
            logger.LogInformation("Stopping before the upload slot of {Source} was handed on after batch {BatchId}; the stalled-step sweep will hand it on", source, batchId);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Could not hand the upload slot of {Source} on after batch {BatchId}; the stalled-step sweep will: {Reason}", source, batchId, ex.Message);
        }
    }

    private HashSet<long> For(string source)
    {
        if (!uploading.TryGetValue(source, out var batches))
        {
            batches = [];
            uploading.Add(source, batches);
        }

        return batches;
    }
}

/// <summary>Which batch a freed upload slot goes to.</summary>
internal enum SlotHandOn
{
    /// <summary>None: the batch only waits on LlamaCloud's request, and the next would meet the same wait.</summary>
    None,

    /// <summary>The source's lowest planned batch: the leaving one is done with its uploads.</summary>
    Lowest,

    /// <summary>
    /// The lowest planned batch above the leaving one, which failed and waits for its retry: two failing batches
    /// must not hand the slot to each other at once, which would spend their attempts without the retry's pause.
    /// </summary>
    NextAfterThis,
}
