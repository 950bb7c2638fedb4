using System.Globalization;
using System.Net.Http.Headers;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// How long to wait before a retry, as the TypeScript SDK 2.16.0 decides it (<c>client.js</c>,
/// <c>retryRequest</c> and <c>calculateDefaultRetryTimeoutMillis</c>): <c>retry-after-ms</c> first,
/// then <c>Retry-After</c> as seconds or as an HTTP date; without a hint, the first delay doubled per
/// retry up to the longest, minus up to 25 % jitter. Capping a hint is <see cref="RetryTiming"/>'s job.
/// </summary>
internal static class RetryDelay
{
    /// <summary>The server's hint, never negative (a date in the past means "now"); null when it gave none or none readable.</summary>
    public static TimeSpan? FromHeaders(HttpResponseHeaders? headers, DateTimeOffset now)
    {
        if (headers is null)
        {
            return null;
        }

        // The SDK skips a zero retry-after-ms (a falsy number) and reads Retry-After instead.
        if (headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis)
            && millis != 0 && double.IsFinite(millis))
        {
            return NotNegative(TimeSpan.FromMilliseconds(Math.Min(millis, TimeSpan.MaxValue.TotalMilliseconds / 2)));
        }

        if (!headers.TryGetValues("Retry-After", out var values) || values.FirstOrDefault() is not { } text)
        {
            return null;
        }

        // HttpResponseHeaders.RetryAfter only knows whole seconds; the SDK's parseFloat takes "1.5" too.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            return NotNegative(TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2)));
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? NotNegative(date - now)
            : null;
    }

    /// <summary>The wait before retry number <paramref name="attempt"/> (0-based) when the server gave no hint.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan first, TimeSpan max, Random random)
    {
        var nominal = first.TotalSeconds * Math.Pow(2, Math.Min(attempt, 30));
        var jitter = 1 - (0.25 * random.NextDouble());
        return TimeSpan.FromSeconds(Math.Min(nominal, max.TotalSeconds) * jitter);
    }

    /// <summary>The SDK's defaults: 0.5 s doubling to 8 s.</summary>
    public static TimeSpan Backoff(int attempt, Random random) => Backoff(attempt, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(8), random);

    private static TimeSpan NotNegative(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;
}
