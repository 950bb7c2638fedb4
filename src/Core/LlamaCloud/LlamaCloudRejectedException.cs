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

    /// <summary>
    /// True for the codes a refusal of undocumented code may take (400, 409, 422): a duplicate name, a
    /// batch over the file limit, a cancel of a finished batch (docs/llamacloud-api.md §11.2). Callers that
    /// know what such a refusal means check the remote state rather than trusting one code.
    /// </summary>
    public bool IsRefusal => StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity;
}
