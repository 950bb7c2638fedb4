using System.Globalization;
using BatchOrchestrator.Sandbox.Hosting;

namespace BatchOrchestrator.Sandbox.Admin;

/// <summary>
/// Counts every /api request by route and by response status, and the peak number in flight.
/// Runs outermost, so 401s, 429s and injected faults are counted too; a dropped connection
/// counts as status "dropped".
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
        var status = "dropped";
        using (counters.Enter())
        {
            try
            {
                await next(context);
                if (!context.Items.ContainsKey(Faults.FaultMiddleware.DroppedKey) && !context.RequestAborted.IsCancellationRequested)
                {
                    status = context.Response.StatusCode.ToString(CultureInfo.InvariantCulture);
                }
            }
            finally
            {
                counters.AddTo(Counter.ResponsesByStatus, status);
            }
        }
    }
}
