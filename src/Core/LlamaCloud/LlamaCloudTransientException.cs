using System.Net;
using Polly.CircuitBreaker;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>The call may succeed if tried again later (5xx, 408, 429, timeouts, dropped connections).</summary>
internal sealed class LlamaCloudTransientException(
    string message, HttpStatusCode? statusCode, TimeSpan? retryAfter = null, Exception? inner = null, bool deferred = false)
    : LlamaCloudException(message, statusCode, inner)
{
    /// <summary>What the server asked us to wait (capped at <c>LlamaCloud:MaxRetryAfter</c>), if it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>
    /// The server asked for a wait longer than we sleep in-process (<c>LlamaCloud:MaxInProcessRetryWait</c>):
    /// nothing was retried, and the caller should try again after <see cref="RetryAfter"/>, not sooner.
    /// </summary>
    public bool Deferred { get; } = deferred && retryAfter is not null;

    /// <summary>
    /// Set when the project is paused (its circuit is open, or LlamaCloud refused credits or quota): nothing
    /// about this request was at fault, and the caller comes back after <see cref="RetryAfter"/>.
    /// </summary>
    public PauseReason? Pause { get; init; }

    /// <summary>
    /// The request's own attempts failed, and the project's circuit, open at the end of them, was opened by this same request
    /// again after the service had answered another (<see cref="ProjectCircuits.OpenedAgainBy"/>; one request's retries are
    /// enough to open it): the pause is of its making, not an outage's. A step that waits the pause out without counting
    /// anything would send a request that always fails again after every pause, and pause the project again, for good.
    /// </summary>
    public bool OpenedTheCircuit { get; init; }

    /// <summary>
    /// The request certainly did nothing on the server: it was never sent (the project's circuit open), never reached
    /// it (no connection made), or was answered 429 or a credits or quota refusal. A timeout or a 5xx may have been
    /// acted on, whatever else came of it (it may have opened the circuit, or said to wait): a create that failed so
    /// may still make what it asked for.
    /// </summary>
    public bool TookNoEffect =>
        InnerException is BrokenCircuitException or HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
        || StatusCode == HttpStatusCode.TooManyRequests
        || (StatusCode is not null && Pause is PauseReason.CreditsExhausted or PauseReason.QuotaExceeded);

    /// <inheritdoc />
    public override ApiErrorClass ErrorClass =>
        StatusCode == HttpStatusCode.TooManyRequests || Pause is PauseReason.CreditsExhausted or PauseReason.QuotaExceeded
            ? ApiErrorClass.Throttled
            : ApiErrorClass.Transient;
}
