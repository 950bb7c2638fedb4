using System.Net;
using Polly.Timeout;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Which outcomes are worth another attempt. The SDK's list (TypeScript 2.16.0 <c>client.js</c>,
/// <c>shouldRetry</c>): connection failures and timeouts, 408, 409, 429 and 5xx, with
/// <c>x-should-retry: true|false</c> overriding it. Ours narrows it for requests that create
/// something (no idempotency key exists, docs/llamacloud-api.md §1.4): they are retried only where
/// the server cannot have acted, a 429 or a connection never made; an ambiguous failure goes back
/// to the step, which looks before it creates again.
/// </summary>
internal static class RetryDecision
{
    public static bool ShouldRetry(HttpResponseMessage? response, Exception? failure, bool createsResource)
    {
        if (response is null)
        {
            return failure switch
            {
                // No connection at all means the request never reached the server: safe even for a create.
                HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => true,
                HttpRequestException or TimeoutRejectedException => !createsResource,
                _ => false, // our own exceptions (a pause handed back by the pacer), cancellation
            };
        }

        if (response.IsSuccessStatusCode)
        {
            return false; // the SDK asks only of responses that are not ok
        }

        // The SDK obeys the header only when its text is exactly "true" or "false" (`shouldRetryHeader === 'true'`, as
        // headers.get gives it: every value joined by ", "). "True", "1" or a header sent twice is no answer: the
        // status decides, as below (docs/llamacloud-api.md §1.4).
        switch (RetryDelay.Header(response.Headers, "x-should-retry"))
        {
            case "false":
                return false;
            case "true":
                return !createsResource || response.StatusCode == HttpStatusCode.TooManyRequests;
        }

        return response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => true, // refused before acting
            HttpStatusCode.RequestTimeout or HttpStatusCode.Conflict => !createsResource,
            >= HttpStatusCode.InternalServerError => !createsResource,
            _ => false,
        };
    }
}
