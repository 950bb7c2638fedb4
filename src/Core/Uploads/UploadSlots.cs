using BatchOrchestrator.Core.Pipeline;

namespace BatchOrchestrator.Core.Uploads;

/// <summary>
/// How many batches of each source upload at once in this process (<see cref="PipelineOptions.BatchesUploadingPerSource"/>).
/// A batch over the limit does not wait in its job (that would hold a Hangfire worker, and enough of them
/// would keep another source's upload job from starting at all): its job ends, and the batch that frees the
/// slot hands it on. The queue of waiting batches is the database's, not this process's memory: the source's
/// planned batches, lowest id first. So a restart, or a batch planned by another instance, strands nothing;
/// only a crash between a batch's end and its hand-on leaves the next one to the stalled-step sweep.
/// <para>
/// A batch frees its slot as its last file is handed out (<see cref="HandOnEarlyAsync"/>), not when its
/// step ends: the next batch sets itself up (its files, lease, directory, first intent) while the last requests
/// of this one are answered and its step finishes, instead of the source's uploads standing still between the
/// two (docs/performance.md). The requests in flight stay bounded all the same: a source's uploads in this
/// process take turns from one pool of <c>UploadConcurrency × BatchesUploadingPerSource</c> (<see cref="SendTurnAsync"/>).
/// </para>
/// </summary>
internal sealed class UploadSlots(IOptions<PipelineOptions> options, IUploadStore store, IPipelineScheduler scheduler, ILogger<UploadSlots> logger)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, SourceSlots> sources = new(StringComparer.Ordinal);

    /// <summary>True when the batch may upload now (then <see cref="LeaveAsync"/> must follow); false when the source's slots are taken, or it is uploading already.</summary>
    public bool TryEnter(string source, long batchId)
    {
        lock (gate)
        {
            var slots = For(source);
            if (slots.Holds(batchId))
            {
                return false;
            }

            // Its job came back (after its retry's pause, or the wait LlamaCloud asked for): whether it uploads now or
            // waits for a slot, a hand-on may pick it again.
            slots.Pausing.Remove(batchId);
            if (slots.Uploading.Count >= options.Value.BatchesUploadingPerSource)
            {
                return false;
            }

            slots.Uploading.Add(batchId);
            return true;
        }
    }

    /// <summary>Waits for one of the source's turns to send a file; disposing the result gives it back.</summary>
    public async ValueTask<SendTurn> SendTurnAsync(string source, CancellationToken cancellationToken)
    {
        SourceSlots slots;
        lock (gate)
        {
            slots = For(source);
        }

        if (!slots.Turns.Wait(0, cancellationToken))
        {
            Interlocked.Increment(ref slots.Waiting);
            try
            {
                await slots.Turns.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref slots.Waiting);
            }
        }

        return new SendTurn(slots.Turns);
    }

    /// <summary>Sends of the source that wait for a turn now.</summary>
    public int WaitingForTurn(string source)
    {
        lock (gate)
        {
            return Volatile.Read(ref For(source).Waiting);
        }
    }

    /// <summary>
    /// The batch has handed out its last file: its slot goes to the source's next batch now, while its last
    /// requests are still answered; when there is none, the slot is handed on as usual when the step ends. The
    /// next is the lowest planned batch, as after a batch that is done (<see cref="SlotHandOn.Lowest"/>), except
    /// those of this process waiting out a retry's pause or a wait LlamaCloud asked for: they come back through
    /// their own job. Never throws; a hand-on that cannot be made here is made by <see cref="LeaveAsync"/>.
    /// </summary>
    public async Task HandOnEarlyAsync(string source, long batchId, CancellationToken cancellationToken)
    {
        long[] holding;
        lock (gate)
        {
            var slots = For(source);
            if (!slots.Uploading.Remove(batchId))
            {
                return; // handed on already (a second pass over a replaced directory), or never entered
            }

            slots.Tailing.Add(batchId);
            if (slots.Uploading.Count >= options.Value.BatchesUploadingPerSource)
            {
                return;
            }

            holding = [.. slots.Uploading, .. slots.Tailing, .. slots.Pausing];
        }

        try
        {
            if (await store.NextPlannedAsync(source, 0, holding, cancellationToken) is { } next)
            {
                scheduler.EnqueueUpload(source, next);
                lock (gate)
                {
                    For(source).HandedOn.Add(batchId);
                }
            }
        }
        catch (Exception ex)
        {
            logger.LogDebug("Could not hand the upload slot of {Source} on early after batch {BatchId}; it is handed on when the batch's step ends: {Reason}", source, batchId, ex.Message);
        }
    }

    /// <summary>
    /// The batch stopped uploading, and the source's next planned batch is handed the freed slot as
    /// <paramref name="handOn"/> says, unless <see cref="HandOnEarlyAsync"/> handed it on already. Never throws:
    /// the step's own outcome must not be lost to this, and a hand-on that cannot be made (a database outage) is
    /// left to the stalled-step sweep.
    /// </summary>
    public async Task LeaveAsync(string source, long batchId, SlotHandOn handOn, CancellationToken cancellationToken)
    {
        long[] stillUploading;
        lock (gate)
        {
            var slots = For(source);
            slots.Uploading.Remove(batchId);
            slots.Tailing.Remove(batchId);
            if (handOn != SlotHandOn.Lowest)
            {
                slots.Pausing.Add(batchId); // its job comes back by itself: no early hand-on picks it before then
            }

            if (slots.HandedOn.Remove(batchId) || handOn == SlotHandOn.None || slots.Uploading.Count >= options.Value.BatchesUploadingPerSource)
            {
                return;
            }

            stillUploading = [batchId, .. slots.Uploading, .. slots.Tailing];
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

    private SourceSlots For(string source)
    {
        if (!sources.TryGetValue(source, out var slots))
        {
            var pipeline = options.Value;
            slots = new SourceSlots(new SemaphoreSlim(pipeline.UploadConcurrency * pipeline.BatchesUploadingPerSource));
            sources.Add(source, slots);
        }

        return slots;
    }

    /// <summary>One source's batches in this process: those holding a slot, those finishing after their last file went out, and the turns their requests share.</summary>
    private sealed class SourceSlots(SemaphoreSlim turns)
    {
        /// <summary>Sends waiting for a turn.</summary>
        public int Waiting;

        public SemaphoreSlim Turns { get; } = turns;

        public HashSet<long> Uploading { get; } = [];

        public HashSet<long> Tailing { get; } = [];

        /// <summary>Tailing batches whose slot another batch has been handed already.</summary>
        public HashSet<long> HandedOn { get; } = [];

        /// <summary>Batches that left failed or told to wait, until their own job comes back.</summary>
        public HashSet<long> Pausing { get; } = [];

        public bool Holds(long batchId) => Uploading.Contains(batchId) || Tailing.Contains(batchId);
    }
}

/// <summary>One of a source's turns to send a file (<see cref="UploadSlots.SendTurnAsync"/>).</summary>
internal readonly struct SendTurn(SemaphoreSlim turns) : IDisposable
{
    public void Dispose() => turns.Release();
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
