using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The one retry layer of the LlamaCloud client, mirroring the official SDKs: 408, 409, 429, 5xx and
/// dropped connections are retried with the server's hint or a jittered backoff, and
/// <c>x-should-retry</c> overrides that list. A request that creates something is retried only where
/// the server cannot have acted on it. Each attempt has its own timeout.
/// </summary>
internal sealed class RetryHandler(IOptions<LlamaCloudOptions> options, TimeProvider time, ILogger<RetryHandler> logger)
    : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var createsResource = request.CreatesResourceFlag();
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage? response = null;
            Exception? failure = null;
            var started = time.GetTimestamp();
            using (var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptTimeout.CancelAfter(settings.AttemptTimeout);
                try
                {
                    response = await base.SendAsync(request, attemptTimeout.Token);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = new TimeoutException($"No answer within {settings.AttemptTimeout}", ex);
                }
                catch (HttpRequestException ex)
                {
                    failure = ex;
                }
            }

            logger.LogDebug(
                "LlamaCloud {Method} {Path} answered {Outcome} in {ElapsedMs:F0} ms",
                request.Method, request.RequestUri?.AbsolutePath, Describe(response, failure), time.GetElapsedTime(started).TotalMilliseconds);
            if (!ShouldRetry(response, failure, createsResource) || attempt >= settings.MaxRetries)
            {
                return response ?? throw Unreachable(request, failure!);
            }

            var delay = RetryDelay.FromHeaders(response?.Headers, time.GetUtcNow()) ?? RetryDelay.Backoff(attempt, Random.Shared);
            logger.LogWarning(
                "LlamaCloud {Method} {Path} failed with {Outcome}; retry {Retry} of {MaxRetries} in {Delay}",
                request.Method, request.RequestUri?.AbsolutePath, Describe(response, failure), attempt + 1, settings.MaxRetries, delay);
            response?.Dispose();
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    private static bool ShouldRetry(HttpResponseMessage? response, Exception? failure, bool createsResource)
    {
        if (response is null)
        {
            // No connection at all means the request never reached the server: safe even for a create.
            var neverSent = failure is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
            return neverSent || !createsResource;
        }

        if (response.Headers.TryGetValues("x-should-retry", out var hint))
        {
            var value = hint.FirstOrDefault();
            if (string.Equals(value, "false", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            if (string.Equals(value, "true", StringComparison.OrdinalIgnoreCase))
            {
                return !createsResource || response.StatusCode == HttpStatusCode.TooManyRequests;
            }
        }

        return response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => true, // refused before acting
            HttpStatusCode.RequestTimeout or HttpStatusCode.Conflict => !createsResource,
            >= HttpStatusCode.InternalServerError => !createsResource,
            _ => false,
        };
    }

    private static LlamaCloudTransientException Unreachable(HttpRequestMessage request, Exception failure) =>
        new($"LlamaCloud {request.Method} {request.RequestUri?.AbsolutePath} got no response: {failure.Message}", null, null, failure);

    private static string Describe(HttpResponseMessage? response, Exception? failure) =>
        response is not null ? $"HTTP {(int)response.StatusCode}" : failure?.GetType().Name ?? "unknown";
}
