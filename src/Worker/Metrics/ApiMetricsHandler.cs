using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>
/// Counts every attempt the LlamaCloud client makes (it sits inside the client's retry layer): by
/// operation and status, errors by class, uploads by outcome, and the latency of batch polls. Paths
/// become operation names, so no id (and never a header) reaches a metric label.
/// </summary>
internal sealed partial class ApiMetricsHandler(OpsMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var operation = Operation(request.Method, request.RequestUri?.AbsolutePath ?? "");
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            Record(operation, "none", cancellationToken.IsCancellationRequested ? null : "transient", started);
            throw;
        }

        Record(operation, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), ErrorClass(response.StatusCode), started);
        return response;
    }

    /// <summary>The same classes as Core's <c>ApiErrorClass</c>; null for success.</summary>
    internal static string? ErrorClass(HttpStatusCode status) => (int)status switch
    {
        < 400 => null,
        429 => "throttled",
        401 or 403 => "auth",
        408 or >= 500 => "transient",
        _ => "rejected",
    };

    internal static string Operation(HttpMethod method, string path)
    {
        var template = Ids().Replace(path.TrimStart('/'), "{id}");
        return template switch
        {
            "api/v1/beta/directories/{id}/files/upload" => "upload",
            "api/v2/batches/{id}" when method == HttpMethod.Get => "poll",
            "api/v2/batches" when method == HttpMethod.Post => "create_batch",
            "api/v2/batches/{id}/cancel" => "cancel_batch",
            _ => $"{method.Method.ToLowerInvariant()} {template}",
        };
    }

    private void Record(string operation, string status, string? errorClass, long started)
    {
        metrics.ApiRequests.Add(1, new("operation", operation), new("status", status));
        if (errorClass is not null)
        {
            metrics.ApiErrors.Add(1, new("class", errorClass), new("operation", operation));
        }

        if (operation == "upload")
        {
            metrics.Uploads.Add(1, new KeyValuePair<string, object?>("outcome", errorClass ?? "uploaded"));
        }
        else if (operation == "poll" && errorClass is null)
        {
            metrics.PollDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    // The segment after a collection name is an id (dir-…, bch-…, pjb-…); "files/upload" is an action, not an id.
    [GeneratedRegex(@"(?<=/(?:directories|batches|parse|extract|classify|files)/)(?!upload$)[^/]+")]
    private static partial Regex Ids();
}
