using BatchOrchestrator.Sandbox.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace BatchOrchestrator.Sandbox.Faults;

/// <summary>
/// Holds the /api requests that <c>hold_requests_matching</c> names, before they take effect or (with
/// <c>hold_after_effect</c>) with their answer held, until the hold is lifted or the client goes away. A
/// client killed while held never gets its answer: the test knows the step it killed was in that request.
/// </summary>
internal sealed class HoldMiddleware(RequestDelegate next, FaultState faults, SandboxCounters counters)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!RouteKeys.IsApi(context))
        {
            await next(context);
            return;
        }

        var (hold, afterEffect) = faults.HoldFor(RouteKeys.Of(context) + context.Request.QueryString.Value);
        if (!hold)
        {
            await next(context);
            return;
        }

        if (!afterEffect)
        {
            if (await HeldAsync(context))
            {
                await next(context);
            }

            return;
        }

        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        using var buffer = new MemoryStream();
        var buffering = new StreamResponseBodyFeature(buffer, original);
        context.Features.Set<IHttpResponseBodyFeature>(buffering);
        try
        {
            await next(context);
            await buffering.CompleteAsync();
        }
        finally
        {
            context.Features.Set(original);
        }

        if (await HeldAsync(context))
        {
            context.Response.ContentLength = buffer.Length;
            await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted);
        }
    }

    /// <summary>Waits until the hold is lifted (true) or the client is gone (false).</summary>
    private async Task<bool> HeldAsync(HttpContext context)
    {
        var released = faults.HoldReleased;
        counters.Add(Counter.RequestsHeld);
        counters.AddTo(Counter.FaultsInjected, "hold");
        try
        {
            await released.WaitAsync(context.RequestAborted);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
