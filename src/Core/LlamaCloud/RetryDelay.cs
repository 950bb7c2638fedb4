using System.Globalization;
using System.Net.Http.Headers;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// How long to wait before a retry, as the TypeScript SDK 2.16.0 decides it (<c>client.js</c>,
/// <c>retryRequest</c> and <c>calculateDefaultRetryTimeoutMillis</c>; docs/llamacloud-api.md §1.4):
/// <c>retry-after-ms</c> first, then <c>Retry-After</c> as seconds or as an HTTP date; without a hint,
/// the first delay doubled per retry up to the longest, minus up to 25 % jitter. Capping a hint is
/// <see cref="RetryTiming"/>'s job.
/// </summary>
internal static class RetryDelay
{
    /// <summary>
    /// The server's hint, never negative; null only when neither header is there with a value the SDK would use,
    /// which is when the SDK falls back to its backoff.
    /// </summary>
    public static TimeSpan? FromHeaders(HttpResponseHeaders? headers, DateTimeOffset now)
    {
        // The SDK reads both headers with parseFloat, which takes the leading number of the text ("1.5", " 2",
        // "3s" are 1.5, 2 and 3) and is NaN only when there is none. A retry-after-ms that is NaN is ignored.
        double? millis = null;
        if (Header(headers, "retry-after-ms") is { Length: > 0 } ms && ParseFloat(ms) is var value && !double.IsNaN(value))
        {
            millis = value;
        }

        // Retry-After is read when retry-after-ms gave nothing or zero (`!timeoutMillis`). A value that is neither a
        // number nor a date makes the SDK's wait NaN rather than undefined: it is taken as the server's answer, not
        // replaced by the backoff.
        if (Header(headers, "retry-after") is { Length: > 0 } after && millis is null or 0)
        {
            var seconds = ParseFloat(after);
            millis = !double.IsNaN(seconds)
                ? seconds * 1000
                : DateTimeOffset.TryParse(after, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? (date - now).TotalMilliseconds : double.NaN;
        }

        // What remains is slept with setTimeout, which waits not at all for zero, a negative wait (a date in the past)
        // or NaN: the SDK retries at once. A wait too long for setTimeout (over 2^31 - 1 ms) Node also runs at once,
        // an accident of the runtime we do not copy: such a hint is honoured, and RetryTiming caps it.
        return millis switch
        {
            null => null,
            { } wait when double.IsNaN(wait) || wait <= 0 => TimeSpan.Zero,
            { } wait => TimeSpan.FromMilliseconds(Math.Min(wait, TimeSpan.MaxValue.TotalMilliseconds / 2)),
        };
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

    /// <summary>
    /// JavaScript's <c>parseFloat</c>: after leading white space, the longest prefix that reads as a decimal number
    /// (sign, digits, fraction, exponent) or as <c>Infinity</c>; NaN when there is none.
    /// </summary>
    internal static double ParseFloat(string text)
    {
        var start = 0;
        while (start < text.Length && (char.IsWhiteSpace(text[start]) || text[start] == '\uFEFF')) // JavaScript's white space has the BOM
        {
            start++;
        }

        var s = text.AsSpan(start);
        var i = s.Length > 0 && s[0] is '+' or '-' ? 1 : 0;
        if (s[i..].StartsWith("Infinity", StringComparison.Ordinal))
        {
            return s[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
        }

        var digits = CountDigits(s, ref i);
        if (i < s.Length && s[i] == '.')
        {
            i++;
            digits += CountDigits(s, ref i);
        }

        if (digits == 0)
        {
            return double.NaN;
        }

        var end = i;
        if (i < s.Length && s[i] is 'e' or 'E')
        {
            var exponent = i + 1 < s.Length && s[i + 1] is '+' or '-' ? i + 2 : i + 1;
            if (CountDigits(s, ref exponent) > 0)
            {
                end = exponent;
            }
        }

        return double.Parse(s[..end], NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static int CountDigits(ReadOnlySpan<char> s, ref int i)
    {
        var start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        return i - start;
    }

    /// <summary>The header's text as the Fetch API's <c>headers.get</c> gives it: every value, joined by ", ".</summary>
    internal static string? Header(HttpResponseHeaders? headers, string name) =>
        headers is not null && headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
}
