using System.Net;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>The call may succeed if tried again later (5xx, 408, 429, timeouts, dropped connections).</summary>
internal sealed class LlamaCloudTransientException(
    string message, HttpStatusCode? statusCode, TimeSpan? retryAfter = null, Exception? inner = null)
    : LlamaCloudException(message, statusCode, inner)
{
    /// <summary>What the server asked us to wait, if it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <inheritdoc />
    public override ApiErrorClass ErrorClass =>
        StatusCode == HttpStatusCode.TooManyRequests ? ApiErrorClass.Throttled : ApiErrorClass.Transient;
}
