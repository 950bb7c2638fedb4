using BatchOrchestrator.Sandbox.Hosting;

namespace BatchOrchestrator.Sandbox.Faults;

/// <summary>
/// The account's faults: a 402 when credits are used up, or the (guessed) quota error, answered to every
/// request that would spend credits (docs/llamacloud-api.md §1.7: "the Free plan answers 402 to requests
/// that would consume credits"), before it takes effect. Reads, uploads and directory changes go on.
/// </summary>
internal sealed class AccountFaultMiddleware(RequestDelegate next, FaultState faults, SandboxCounters counters)
{
    /// <summary>The creates that start billed work: batches (v2, v1), parse and extract jobs.</summary>
    public static readonly IReadOnlyList<string> CreditSpendingRoutes =
    [
        "POST /api/v2/batches", "POST /api/v1/beta/batch-processing", "POST /api/v2/parse", "POST /api/v2/parse/upload", "POST /api/v2/extract",
    ];

    public async Task InvokeAsync(HttpContext context)
    {
        var settings = faults.Current;
        if ((settings.PaymentRequired || settings.QuotaExceeded) && RouteKeys.IsApi(context) && CreditSpendingRoutes.Contains(RouteKeys.Of(context), StringComparer.Ordinal))
        {
            if (settings.PaymentRequired)
            {
                counters.AddTo(Counter.FaultsInjected, "payment_required");
                await ApiErrors.WriteDetailAsync(context.Response, StatusCodes.Status402PaymentRequired, "Insufficient credits: add credits or upgrade your plan to continue");
                return;
            }

            counters.AddTo(Counter.FaultsInjected, "quota_exceeded");
            await ApiErrors.WriteDetailAsync(context.Response, settings.QuotaStatusCode, settings.QuotaDetail);
            return;
        }

        await next(context);
    }
}
