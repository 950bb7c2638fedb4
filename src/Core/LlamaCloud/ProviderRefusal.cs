using System.Net;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Which refusals pause a project rather than fail a request. 402 is documented ("the Free plan answers
/// 402 to requests that would consume credits", docs/llamacloud-api.md §1.7). A quota error is not: the
/// guess (docs/resilience.md) is a 429 or 403 whose detail speaks of a quota; a 429 without that word is
/// an ordinary rate limit and stays with the retry layer.
/// </summary>
internal static class ProviderRefusal
{
    public static PauseReason? Of(HttpStatusCode status, string? detail) => status switch
    {
        HttpStatusCode.PaymentRequired => PauseReason.CreditsExhausted,
        HttpStatusCode.TooManyRequests or HttpStatusCode.Forbidden when detail?.Contains("quota", StringComparison.OrdinalIgnoreCase) == true => PauseReason.QuotaExceeded,
        _ => null,
    };

    /// <summary>The same decision on a response whose body has not been read yet (the content is buffered, so it can be read again).</summary>
    public static async ValueTask<PauseReason?> OfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode is not (HttpStatusCode.PaymentRequired or HttpStatusCode.TooManyRequests or HttpStatusCode.Forbidden))
        {
            return null;
        }

        return Of(response.StatusCode, await ErrorDetail.ReadAsync(response, secrets: null, cancellationToken));
    }
}
