using System.Globalization;
using BatchOrchestrator.Sandbox.Hosting;

namespace BatchOrchestrator.Sandbox.Admin;

/// <summary>
/// Counts every /api request by route and by response status, and the peak number in flight.
/// Runs outermost, so 401s, 429s and injected faults are counted too; a dropped connection
/// counts as status "dropped" (an injected drop is counted by the fault middleware itself,
/// before the abort reaches the client).
/// </summary>
internal sealed class RequestCountingMiddleware(RequestDelegate next, SandboxCounters counters)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!RouteKeys.IsApi(context))
        {
            await next(context);
            return;
        }

        counters.AddTo(Counter.RequestsByRoute, RouteKeys.Of(context));
        var userAgent = context.Request.Headers.UserAgent.ToString();
        counters.AddTo(Counter.RequestsByUserAgent, userAgent.Length == 0 ? "none" : userAgent);
        // The status is counted as the response starts, before the client can see any of it, so
        // a test reading the counters right after a response always finds it counted. A response
        // that never starts is counted when the pipeline unwinds.
        var counted = 0;
        context.Response.OnStarting(() =>
        {
            if (Interlocked.Exchange(ref counted, 1) == 0)
            {
                counters.AddTo(Counter.ResponsesByStatus, context.Response.StatusCode.ToString(CultureInfo.InvariantCulture));
            }

            return Task.CompletedTask;
        });

        using (counters.Enter())
        {
            try
            {
                await next(context);
            }
            finally
            {
                if (!context.Items.ContainsKey(Faults.FaultMiddleware.DroppedKey) && Interlocked.Exchange(ref counted, 1) == 0)
                {
                    var status = context.RequestAborted.IsCancellationRequested
                        ? "dropped"
                        : context.Response.StatusCode.ToString(CultureInfo.InvariantCulture);
                    counters.AddTo(Counter.ResponsesByStatus, status);
                }
            }
        }
    }
}
