using System.Data.Common;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// One process's share of a project's upload slots (<see cref="ISharedUploadPace"/>): slots are reserved a few at a time
/// (<see cref="PerReservation"/>, about a second of uploads: one statement a second while uploading, none while idle), and
/// each upload waits for its slot after its turn at the process's own bucket. One instance alone gets every slot, one
/// reservation after another, at the pace it had; several uploading into one project at once take turns a reservation at
/// a time, and together keep to the one limit (docs/sources.md, "Pacing"), the one whose uploads weigh less reserving fewer
/// by weight. When the database cannot be asked, the process's own pace goes on alone for <see cref="UnsharedFor"/> before
/// it asks again (a database that hangs rather than refuses would otherwise hold every upload for its timeout), and says so
/// once: an upload is never failed for its pace.
/// </summary>
/// <remarks>Called by one caller at a time (the pace's turns), but for <see cref="Drop"/>.</remarks>
/// <param name="weigh">The weight this process claims the project for, asked only when it reserves (a reservation serves all its lanes).</param>
internal sealed class SharedUploadSlots(
    string project, ISharedUploadPace store, RetryTiming timing, TimeProvider time, ILogger logger, Func<UploadLane, int> weigh)
{
    /// <summary>Slots reserved at once: about a second of uploads at LlamaCloud's limit.</summary>
    public const int PerReservation = 10;

    /// <summary>How long the process paces on its own after the database could not be asked.</summary>
    public static readonly TimeSpan UnsharedFor = TimeSpan.FromSeconds(30);

    // A 429's hold is shared at most this long: the answer that waits for it is the upload's, and its attempt's timeout runs.
    private static readonly TimeSpan HoldSharedWithin = TimeSpan.FromSeconds(5);

    private readonly Guid instance = Guid.NewGuid(); // this process's claims on the project, told apart from other instances'
    private long nextSlot; // a monotonic timestamp
    private long slotInterval; // in monotonic timestamp units
    private int left;
    private int dropped;
    private bool unshared;
    private long askAgainAt; // a monotonic timestamp; while unshared, no reservation is asked for before it

    /// <summary>
    /// Waits for this upload's slot, reserving more at <paramref name="interval"/> apart when none is left, the upload of
    /// <paramref name="lane"/> holding the turn.
    /// </summary>
    public async ValueTask WaitAsync(TimeSpan interval, UploadLane lane, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref dropped, 0) == 1)
        {
            left = 0;
        }

        // A slot gone by more than an interval ago (the uploads paused a while) is passed over: sent now, the slots left
        // would go out back to back beside another instance's current ones, a burst the server counts in full.
        while (left > 0 && time.GetElapsedTime(nextSlot) > interval)
        {
            nextSlot += slotInterval;
            left--;
        }

        if (left == 0 && !await ReserveAsync(interval, weigh(lane), cancellationToken))
        {
            return;
        }

        var due = nextSlot;
        nextSlot += slotInterval;
        left--;
        var wait = time.GetElapsedTime(time.GetTimestamp(), due);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    /// <summary>
    /// A 429: the slots left are given up, and every instance's next ones wait out <paramref name="hold"/>; this process's next
    /// are reserved at its slower pace. Not shared when the database cannot be asked: this process holds back regardless.
    /// </summary>
    public async Task DropAsync(TimeSpan hold, CancellationToken cancellationToken)
    {
        Drop();
        using var within = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        within.CancelAfter(HoldSharedWithin);
        try
        {
            await store.HoldAsync(project, hold, within.Token);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logger.LogWarning("A 429 on an upload into project {Project} could not be shared with the other instances ({Reason}); this one holds back regardless", project, ex.Message);
        }
    }

    /// <summary>Gives up the slots left: the next are reserved afresh.</summary>
    public void Drop() => Interlocked.Exchange(ref dropped, 1);

    private async ValueTask<bool> ReserveAsync(TimeSpan interval, int weight, CancellationToken cancellationToken)
    {
        if (unshared && time.GetTimestamp() < askAgainAt)
        {
            return false;
        }

        SlotReservation reserved;
        try
        {
            reserved = await store.ReserveAsync(project, instance, weight, PerReservation, interval, timing.MaxInProcessWait, cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            askAgainAt = time.GetTimestamp() + Timestamps(UnsharedFor);
            if (!unshared)
            {
                unshared = true;
                logger.LogWarning(
                    "The upload slots of project {Project} could not be reserved in the database ({Reason}); this instance paces its uploads on its own until they can, and with other instances uploading into the project LlamaCloud may answer 429",
                    project, ex.Message);
            }

            return false;
        }

        if (unshared)
        {
            unshared = false;
            logger.LogInformation("The upload slots of project {Project} are shared with the other instances again", project);
        }

        var startsIn = reserved.StartsIn;
        if (reserved.Slots <= 0)
        {
            // Other instances' uploads, or a 429's hold, fill the project for longer than a request may wait: nothing was reserved,
            // and the upload step comes back once they are over.
            throw new LlamaCloudTransientException(
                $"Uploads into project {project} are held for {startsIn} by the other instances' uploads or LlamaCloud's 429", System.Net.HttpStatusCode.TooManyRequests, startsIn, deferred: true);
        }

        var now = time.GetTimestamp();
        nextSlot = now + (startsIn > TimeSpan.Zero ? Timestamps(startsIn) : 0);
        slotInterval = Timestamps(interval);
        left = reserved.Slots;
        return true;
    }

    private long Timestamps(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
