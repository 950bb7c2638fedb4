using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The one pace of file uploads for the whole process (all batches, all concurrent uploads), set just
/// under the API's published limit. A token bucket of one token: no bursts, because a burst at the edge
/// of the server's counting window is counted against the limit in full. After a 429 every upload waits
/// out the server's Retry-After, and the pace drops for a while.
/// </summary>
internal sealed class UploadPace : IDisposable
{
    private readonly UploadRateLimitOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<UploadPace> logger;
    private readonly Lock gate = new();
    private RateLimiter? limiter;
    private bool throttled;
    private DateTimeOffset throttledUntil;
    private DateTimeOffset pausedUntil;

    public UploadPace(IOptions<UploadRateLimitOptions> options, TimeProvider time, ILogger<UploadPace> logger)
    {
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        limiter = this.options.PermitLimit == 0 ? null : Create(1);
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

    /// <summary>Waits for this upload's turn.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
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
                    logger.LogInformation("Upload pace back to {PerSecond:F1} per second", 1 / Interval.TotalSeconds);
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

    /// <summary>The API answered 429: hold every upload for <paramref name="retryAfter"/> and slow down for a while.</summary>
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
                    "LlamaCloud refused an upload with 429; pausing {Pause} and slowing uploads to {Factor:P0} of the pace for {For}",
                    resume - now, options.ThrottledFactor, options.ThrottledFor);
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
