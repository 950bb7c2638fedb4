using System.Net;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>The server refused the request (4xx other than 408/429); repeating it unchanged will not help.</summary>
internal sealed class LlamaCloudRejectedException(string message, HttpStatusCode statusCode, string? detail)
    : LlamaCloudException(message, statusCode)
{
    /// <summary>The server's <c>detail</c> text, if any.</summary>
    public string? Detail { get; } = detail;

    /// <inheritdoc />
    public override ApiErrorClass ErrorClass =>
        StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? ApiErrorClass.Auth : ApiErrorClass.Rejected;

    /// <summary>True for 404.</summary>
    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    /// <summary>True for 409.</summary>
    public bool IsConflict => StatusCode == HttpStatusCode.Conflict;
}
