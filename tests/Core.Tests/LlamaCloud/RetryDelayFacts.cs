using System.Net;
using BatchOrchestrator.Core.LlamaCloud;

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
    public void FromHeaders_IgnoresAnAbsurdHint()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.Add("Retry-After", "86400");

        Assert.Null(RetryDelay.FromHeaders(response.Headers, Now));
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
