using System.Net;
using BatchOrchestrator.Core.LlamaCloud;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// Which failed requests certainly did nothing on the server: a create that failed so is forgotten at once, any other
/// is waited out before another is sent (docs/resilience.md, "A create that was not answered").
/// </summary>
public sealed class TookNoEffectFacts
{
    private static readonly Dictionary<string, (LlamaCloudTransientException Failure, bool TookNoEffect)> Cases = new()
    {
        ["never sent: the circuit was open"] = (new("x", null, TimeSpan.FromSeconds(30), new BrokenCircuitException(), deferred: true), true),
        ["no connection made"] = (new("x", null, null, new HttpRequestException(HttpRequestError.ConnectionError, "refused")), true),
        ["429"] = (new("x", HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(60), deferred: true), true),
        ["credits refused"] = (new("x", HttpStatusCode.PaymentRequired, TimeSpan.FromMinutes(5), deferred: true) { Pause = PauseReason.CreditsExhausted }, true),
        ["a gateway's 502"] = (new("x", HttpStatusCode.BadGateway, null), false),
        ["a 502 that opened the circuit"] = (new("x", HttpStatusCode.BadGateway, TimeSpan.FromSeconds(30), deferred: true) { Pause = PauseReason.CircuitOpen }, false),
        ["a 503 that said to wait long"] = (new("x", HttpStatusCode.ServiceUnavailable, TimeSpan.FromMinutes(5), deferred: true), false),
        ["a timeout that opened the circuit"] = (new("x", null, TimeSpan.FromSeconds(30), new TimeoutRejectedException(), deferred: true) { Pause = PauseReason.CircuitOpen }, false),
        ["the answer cut off"] = (new("x", null, null, new HttpRequestException(HttpRequestError.ResponseEnded, "ended")), false),
    };

    public static TheoryData<string> Failures() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Failures))]
    public void AFailure_TookNoEffect_OnlyWhereTheServerCannotHaveActed(string what) =>
        Assert.Equal(Cases[what].TookNoEffect, Cases[what].Failure.TookNoEffect);
}
