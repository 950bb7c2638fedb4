namespace BatchOrchestrator.Core.Tests.LlamaCloud;

public sealed class RetryDelayFacts
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FromHeaders_PrefersRetryAfterMs_OverRetryAfter()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.Add("Retry-After-Ms", "1500");
        response.Headers.Add("Retry-After", "9");

        Assert.Equal(TimeSpan.FromMilliseconds(1500), RetryDelay.FromHeaders(response.Headers, Now));
    }

    [Fact]
    public void FromHeaders_ReadsRetryAfterAsSecondsOrAsADate()
    {
        using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        seconds.Headers.Add("Retry-After", "7");
        using var date = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        date.Headers.Add("Retry-After", Now.AddSeconds(20).ToString("R", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(TimeSpan.FromSeconds(7), RetryDelay.FromHeaders(seconds.Headers, Now));
        Assert.Equal(TimeSpan.FromSeconds(20), RetryDelay.FromHeaders(date.Headers, Now));
    }

    [Fact]
    public void FromHeaders_TakesALongHintAsItIs_AFractionOfASecond_AndADateInThePastAsNow()
    {
        using var day = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        day.Headers.Add("Retry-After", "86400");
        using var fraction = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        fraction.Headers.TryAddWithoutValidation("Retry-After", "1.5");
        using var past = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        past.Headers.Add("Retry-After", Now.AddSeconds(-30).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        using var zeroMs = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        zeroMs.Headers.Add("retry-after-ms", "0");
        zeroMs.Headers.Add("Retry-After", "4");

        Assert.Equal(TimeSpan.FromDays(1), RetryDelay.FromHeaders(day.Headers, Now)); // capping is RetryTiming's job
        Assert.Equal(TimeSpan.FromSeconds(1.5), RetryDelay.FromHeaders(fraction.Headers, Now));
        Assert.Equal(TimeSpan.Zero, RetryDelay.FromHeaders(past.Headers, Now));
        Assert.Equal(TimeSpan.FromSeconds(4), RetryDelay.FromHeaders(zeroMs.Headers, Now)); // a zero retry-after-ms lets Retry-After speak
    }

    // TypeScript SDK 2.16.0 client.js, retryRequest: parseFloat of each header, Retry-After only while the wait is
    // falsy, the backoff only while it is undefined, and setTimeout running a wait of zero, below zero or NaN at once.
    [Theory]
    [InlineData("0", null, 0.0)] // zero milliseconds alone: a retry at once, not the backoff
    [InlineData(null, "0", 0.0)]
    [InlineData("0", "0", 0.0)]
    [InlineData("0", "soon", 0.0)]
    [InlineData(null, "soon", 0.0)] // neither a number nor a date: NaN, which the SDK sleeps as no wait
    [InlineData(null, "-3", 0.0)]
    [InlineData("-250", "9", 0.0)] // a negative retry-after-ms is truthy, so Retry-After is not read
    [InlineData(null, "1.5", 1500.0)]
    [InlineData(null, " 2", 2000.0)]
    [InlineData(null, "3s", 3000.0)] // parseFloat takes the leading number
    [InlineData(null, "1e1", 10000.0)]
    [InlineData(null, ".5", 500.0)]
    [InlineData("1500.5", null, 1500.5)]
    [InlineData("750ms", null, 750.0)]
    [InlineData("abc", "4", 4000.0)] // a retry-after-ms that is NaN is ignored
    public void FromHeaders_ReadsEachHeaderAsTheSdksParseFloatDoes(string? retryAfterMs, string? retryAfter, double milliseconds)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        if (retryAfterMs is not null)
        {
            response.Headers.TryAddWithoutValidation("retry-after-ms", retryAfterMs);
        }

        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), RetryDelay.FromHeaders(response.Headers, Now));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("abc", null)] // NaN retry-after-ms and no Retry-After: the SDK's wait stays undefined
    [InlineData(null, "")]
    public void FromHeaders_GivesNoHint_OnlyWhereTheSdkFallsBackToItsBackoff(string? retryAfterMs, string? retryAfter)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        if (retryAfterMs is not null)
        {
            response.Headers.TryAddWithoutValidation("retry-after-ms", retryAfterMs);
        }

        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        Assert.Null(RetryDelay.FromHeaders(response.Headers, Now));
    }

    [Theory]
    [InlineData("12", 12.0)]
    [InlineData("  -0.25e2x", -25.0)]
    [InlineData("+.5", 0.5)]
    [InlineData("5.", 5.0)]
    [InlineData("1e", 1.0)]
    [InlineData("1e+", 1.0)]
    [InlineData("-Infinity", double.NegativeInfinity)]
    [InlineData("Infinityx", double.PositiveInfinity)]
    public void ParseFloat_ReadsTheLeadingNumber(string text, double expected) => Assert.Equal(expected, RetryDelay.ParseFloat(text));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("e5")]
    [InlineData("NaN")]
    [InlineData("infinity")]
    [InlineData("Wed, 21 Oct 2015 07:28:00 GMT")]
    public void ParseFloat_IsNaN_WithoutALeadingNumber(string text) => Assert.True(double.IsNaN(RetryDelay.ParseFloat(text)));

    [Theory]
    [InlineData(0, 0.375, 0.5)]
    [InlineData(1, 0.75, 1.0)]
    [InlineData(3, 3.0, 4.0)]
    [InlineData(6, 6.0, 8.0)]
    public void Backoff_DoublesFromHalfASecond_CappedAtEight_WithUpToAQuarterJitter(int attempt, double min, double max)
    {
        var random = new Random(7);
        for (var i = 0; i < 100; i++)
        {
            var delay = RetryDelay.Backoff(attempt, random).TotalSeconds;
            Assert.InRange(delay, min, max);
        }
    }
}
