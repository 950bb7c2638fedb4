using System.Diagnostics;
using System.Net;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>
/// Counts every attempt the LlamaCloud client makes (it sits inside the client's retry layer), once its answer is whole,
/// body included: by operation and status, errors by class, upload attempts by outcome, and the latency of batch polls.
/// Paths become operation names (<see cref="ApiOperations"/>), so no id (and never a header) reaches a metric label.
/// </summary>
internal sealed class ApiMetricsHandler(OpsMetrics metrics, IHostApplicationLifetime lifetime) : DelegatingHandler
{
    private const string UploadFile = "upload_file";
    private const string GetBatch = "get_batch"; // a batch poll

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var operation = ApiOperations.Of(request.Method, request.RequestUri?.AbsolutePath ?? "");
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
            // The answer is whole only with its body: this handler sits inside Core's WholeAnswerHandler, so the body is
            // read here (buffered once; the outer read then finds it buffered), and an answer whose body broke off or
            // stalled past the attempt timeout counts as the failed attempt Core reads it as, not as its headers' status.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            // No whole answer. This handler sits inside the attempt timeout (LlamaCloud:AttemptTimeout), whose expiry
            // reaches it as a cancelled token, as a stop does: an attempt that timed out is a transient failure, as Core
            // reads it ("no answer within …"), while one the stopping service gave up is no failure, and neither is an upload.
            response?.Dispose();
            var abandoned = ex is OperationCanceledException && lifetime.ApplicationStopping.IsCancellationRequested;
            Record(operation, "none", abandoned ? null : "transient", started, answered: false);
            throw;
        }

        Record(operation, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), ErrorClass(response.StatusCode), started, answered: true);
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

    private void Record(string operation, string status, string? errorClass, long started, bool answered)
    {
        metrics.ApiRequests.Add(1, new("operation", operation), new("status", status));
        if (errorClass is not null)
        {
            metrics.ApiErrors.Add(1, new("class", errorClass), new("operation", operation));
        }

        if (operation == UploadFile && (answered || errorClass is not null))
        {
            metrics.Uploads.Add(1, new KeyValuePair<string, object?>("outcome", errorClass ?? "uploaded"));
        }
        else if (operation == GetBatch && answered && errorClass is null)
        {
            metrics.PollDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }
}
