using System.Net;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// A LlamaCloud call that did not succeed. The message carries the status and the server's
/// <c>detail</c>, never request headers (the API key travels in one).
/// </summary>
internal abstract class LlamaCloudException(string message, HttpStatusCode? statusCode, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The HTTP status, or null when no response arrived.</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary>The class used to decide retries and to report errors.</summary>
    public abstract ApiErrorClass ErrorClass { get; }
}
