using BatchOrchestrator.Sandbox.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace BatchOrchestrator.Sandbox.Faults;

/// <summary>
/// Holds the /api requests that <c>hold_requests_matching</c> names, before they take effect or (with
/// <c>hold_after_effect</c>) with their answer held, until the hold is lifted or the client goes away. A
/// client killed while held never gets its answer: the test knows the step it killed was in that request.
/// With <c>hold_answer_status</c>, a request held before its effect is answered at once with that 5xx and takes
/// effect when the hold is lifted, the client long gone: a gateway that gave up on a request the server still works on.
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

        var (hold, afterEffect, answerStatus) = faults.HoldFor(RouteKeys.Of(context) + context.Request.QueryString.Value);
        if (!hold)
        {
            await next(context);
            return;
        }

        if (!afterEffect && answerStatus != 0)
        {
            await AnswerThenApplyAsync(context, answerStatus);
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

    /// <summary>
    /// Reads the whole request, answers the client with <paramref name="status"/>, and once the hold is lifted lets the
    /// request take effect on this same context, its answer going nowhere and the client's leaving ignored.
    /// </summary>
    private async Task AnswerThenApplyAsync(HttpContext context, int status)
    {
        var released = faults.HoldReleased;
        counters.Add(Counter.RequestsHeld);
        counters.AddTo(Counter.FaultsInjected, "hold_answered");
        context.Request.EnableBuffering();
        await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
        context.Request.Body.Position = 0;
        context.Response.StatusCode = status;
        context.Response.Headers.Connection = "close"; // the connection stays busy with this request: no client may reuse it
        await context.Response.CompleteAsync();

        context.Features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        context.Features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature());
        await released;
        await next(context);
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
