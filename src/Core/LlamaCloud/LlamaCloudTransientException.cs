using System.Net;

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

    /// <inheritdoc />
    public override ApiErrorClass ErrorClass =>
        StatusCode == HttpStatusCode.TooManyRequests || Pause is PauseReason.CreditsExhausted or PauseReason.QuotaExceeded
            ? ApiErrorClass.Throttled
            : ApiErrorClass.Transient;
}
