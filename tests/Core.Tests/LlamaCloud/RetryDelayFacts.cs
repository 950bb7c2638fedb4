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
        using var garbage = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        garbage.Headers.TryAddWithoutValidation("Retry-After", "soon");

        Assert.Equal(TimeSpan.FromDays(1), RetryDelay.FromHeaders(day.Headers, Now)); // capping is RetryTiming's job
        Assert.Equal(TimeSpan.FromSeconds(1.5), RetryDelay.FromHeaders(fraction.Headers, Now));
        Assert.Equal(TimeSpan.Zero, RetryDelay.FromHeaders(past.Headers, Now));
        Assert.Equal(TimeSpan.FromSeconds(4), RetryDelay.FromHeaders(zeroMs.Headers, Now)); // the SDK skips a zero retry-after-ms
        Assert.Null(RetryDelay.FromHeaders(garbage.Headers, Now));
    }

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
