using System.Globalization;
using System.Net.Http.Headers;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// How long to wait before retry number <c>attempt</c> (0-based), as the official SDKs do
/// (LLAMACLOUD.md §1.4): <c>Retry-After-Ms</c>, then <c>Retry-After</c> (seconds or an HTTP date),
/// else 0.5 s·2ⁿ capped at 8 s, minus up to 25 % jitter.
/// </summary>
internal static class RetryDelay
{
    private static readonly TimeSpan MaxHonoured = TimeSpan.FromSeconds(60);

    public static TimeSpan? FromHeaders(HttpResponseHeaders? headers, DateTimeOffset now)
    {
        if (headers is null)
        {
            return null;
        }

        if (headers.TryGetValues("Retry-After-Ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis))
        {
            return Bounded(TimeSpan.FromMilliseconds(millis));
        }

        var retryAfter = headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return Bounded(delta);
        }

        return retryAfter?.Date is { } date ? Bounded(date - now) : null;
    }

    public static TimeSpan Backoff(int attempt, Random random)
    {
        var seconds = Math.Min(0.5 * Math.Pow(2, attempt), 8);
        var jitter = 1 - (0.25 * random.NextDouble());
        return TimeSpan.FromSeconds(seconds * jitter);
    }

    // An absurd or negative hint is ignored in favour of our own backoff, as the SDKs do.
    private static TimeSpan? Bounded(TimeSpan value) => value >= TimeSpan.Zero && value <= MaxHonoured ? value : null;
}
