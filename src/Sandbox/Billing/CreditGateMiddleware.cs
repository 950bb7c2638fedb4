namespace BatchOrchestrator.Sandbox.Billing;

/// <summary>
/// With a finite balance spent, requests that would consume credits (creating batches and parse or
/// extract jobs) answer 402 with a FastAPI <c>detail</c>, as the service's Free plan does when its credits
/// run out (docs/llamacloud-api.md §1.7; the exact wording is not documented). Nothing else is refused.
/// </summary>
internal sealed class CreditGateMiddleware(RequestDelegate next, SandboxBilling billing)
{
    private static readonly string[] Consuming = ["/api/v2/batches", "/api/v2/parse", "/api/v2/parse/upload", "/api/v2/extract", "/api/v1/beta/batch-processing"];

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (HttpMethods.IsPost(context.Request.Method) && Consuming.Contains(path.TrimEnd('/'), StringComparer.Ordinal) && billing.Exhausted)
        {
            await ApiErrors.WriteDetailAsync(
                context.Response, StatusCodes.Status402PaymentRequired, "Insufficient credits: this account has used all of its credits. Add credits or upgrade your plan to continue.");
            return;
        }

        await next(context);
    }
}
