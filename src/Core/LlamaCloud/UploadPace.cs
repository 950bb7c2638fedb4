using System.Threading.RateLimiting;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The pace of file uploads into one LlamaCloud project (all its batches, all concurrent uploads of this
/// process), set just under the API's per-project limit. A token bucket of one token: no bursts, because
/// a burst at the edge of the server's counting window is counted against the limit in full. After a 429
/// every upload into the project waits out the server's hint, and the pace drops for a while; a hint
/// too long to wait in-process is handed back to the upload step instead (see <see cref="RetryTiming"/>).
/// The turns are shared between sources by their priority (<see cref="WeightedTurns"/>): one caller at a
/// time waits on the bucket, chosen by lane weight, so a small run of a high-priority source is not queued
/// behind every upload of a backfill, and the backfill still gets every turn nobody else wants. With other
/// instances on the database, each turn also waits for one of the project's slots they all share
/// (<see cref="SharedUploadSlots"/>), so that together they keep to the one limit.
/// </summary>
internal sealed class UploadPace : IDisposable
{
    private readonly UploadRateLimitOptions options;
    private readonly RetryTiming timing;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly string project;
    private readonly Lock gate = new();
    private readonly WeightedTurns turns = new();
    private readonly SharedUploadSlots? slots;
    private RateLimiter? limiter;
    private bool throttled;
    private DateTimeOffset throttledUntil;
    private DateTimeOffset pausedUntil;

    public UploadPace(string project, UploadRateLimitOptions options, RetryTiming timing, TimeProvider time, ILogger logger, ISharedUploadPace? shared = null)
    {
        this.project = project;
        this.options = options;
        this.timing = timing;
        this.time = time;
        this.logger = logger;
        limiter = this.options.PermitLimit == 0 ? null : Create(1);
        slots = limiter is null || shared is null ? null : new SharedUploadSlots(project, shared, timing, time, logger, turns.HeaviestWaiting);
    }

    /// <summary>True while a 429 keeps the pace lowered.</summary>
    public bool IsThrottled
    {
        get
        {
            lock (gate)
            {
                return throttled;
            }
        }
    }

    /// <summary>The time between two uploads at the normal pace.</summary>
    public TimeSpan Interval => options.Window / (options.PermitLimit * options.Headroom);

    /// <summary>Waits for this upload's turn, shared with other lanes by weight.</summary>
    public async ValueTask WaitAsync(UploadLane lane, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (limiter is null)
            {
                return; // no pacing: no turns to share
            }
        }

        await turns.EnterAsync(lane, cancellationToken);
        try
        {
            await WaitForBucketAsync(cancellationToken);
            if (slots is not null)
            {
                await slots.WaitAsync(CurrentInterval, lane, cancellationToken);
            }
        }
        finally
        {
            turns.Exit();
        }
    }

    /// <summary>The time between two uploads now: slower while a 429 keeps the pace lowered.</summary>
    private TimeSpan CurrentInterval
    {
        get
        {
            lock (gate)
            {
                return throttled ? Interval / options.ThrottledFactor : Interval;
            }
        }
    }

    private async ValueTask WaitForBucketAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            RateLimiter? current;
            TimeSpan pause;
            lock (gate)
            {
                var now = time.GetUtcNow();
                if (throttled && now >= throttledUntil)
                {
                    Replace(Create(1));
                    throttled = false;
                    logger.LogInformation("Upload pace into project {Project} back to {PerSecond:F1} per second", project, 1 / Interval.TotalSeconds);
                }

                current = limiter;
                pause = pausedUntil - now;
            }

            if (current is null)
            {
                return;
            }

            if (pause > TimeSpan.Zero)
            {
                if (!timing.SleepsInProcess(pause))
                {
                    // Not sent: the upload step schedules itself again once the project's pause is over.
                    throw new LlamaCloudTransientException(
                        $"Uploads into project {project} are paused for {pause} on LlamaCloud's request", System.Net.HttpStatusCode.TooManyRequests, pause, deferred: true);
                }

                await Task.Delay(pause, time, cancellationToken);
                continue;
            }

            try
            {
                using var lease = await current.AcquireAsync(1, cancellationToken);
                if (lease.IsAcquired)
                {
                    return;
                }
            }
            catch (ObjectDisposedException)
            {
                // replaced by a slower or faster pace while we asked; ask the new one
            }
        }
    }

    /// <summary>
    /// A turn for lower-priority work that shares the project's limit (the deletes of remote hygiene): taken
    /// only when a token is free right now and no upload is waiting for one (the limiter hands tokens to
    /// queued requests first, oldest first), and never while a 429 holds the project. So such work uses
    /// what uploads leave, and never delays an upload by more than one interval.
    /// </summary>
    public bool TryTakeSpare()
    {
        RateLimiter? current;
        lock (gate)
        {
            if (pausedUntil > time.GetUtcNow())
            {
                return false;
            }

            current = limiter;
        }

        if (current is null)
        {
            return true; // pacing is off
        }

        try
        {
            using var lease = current.AttemptAcquire(1);
            return lease.IsAcquired;
        }
        catch (ObjectDisposedException)
        {
            return false; // replaced just now; ask again
        }
    }

    /// <summary>How long uploads into the project are still held by a 429's hint (zero when they are not).</summary>
    public TimeSpan PausedFor
    {
        get
        {
            lock (gate)
            {
                var left = pausedUntil - time.GetUtcNow();
                return left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }
        }
    }

    /// <summary>
    /// After <see cref="OnThrottled"/> for an upload: the other instances' uploads into the project are held back as long too
    /// (they would meet the same 429), and this process's next slots are reserved at its slower pace.
    /// </summary>
    public Task ShareThrottleAsync(TimeSpan? retryAfter, CancellationToken cancellationToken) =>
        slots?.DropAsync(retryAfter ?? options.Window / options.PermitLimit, cancellationToken) ?? Task.CompletedTask;

    /// <summary>The API answered 429: hold every upload into the project for <paramref name="retryAfter"/> and slow down for a while.</summary>
    public void OnThrottled(TimeSpan? retryAfter)
    {
        lock (gate)
        {
            if (limiter is null)
            {
                return;
            }

            var now = time.GetUtcNow();
            var resume = now + (retryAfter ?? options.Window / options.PermitLimit);
            pausedUntil = resume > pausedUntil ? resume : pausedUntil;
            throttledUntil = now + options.ThrottledFor;
            if (!throttled)
            {
                throttled = true;
                Replace(Create(options.ThrottledFactor));
                logger.LogWarning(
                    "LlamaCloud refused an upload into project {Project} with 429; pausing {Pause} and slowing its uploads to {Factor:P0} of the pace for {For}",
                    project, resume - now, options.ThrottledFactor, options.ThrottledFor);
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            limiter?.Dispose();
            limiter = null;
        }
    }

    private TokenBucketRateLimiter Create(double factor) => new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = 1,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = Interval / factor,
        AutoReplenishment = true,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    private void Replace(RateLimiter next)
    {
        var previous = limiter;
        limiter = next;
        previous?.Dispose(); // its waiters get a failed lease and queue on the new one
    }
}
