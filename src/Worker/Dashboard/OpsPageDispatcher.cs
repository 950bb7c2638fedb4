using System.Text.RegularExpressions;
using Hangfire.Dashboard;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// Serves one of our pages: loads its data asynchronously from the request's own services (Hangfire's
/// routes are static, and tests run several hosts in one process), then renders it in Hangfire's layout.
/// </summary>
internal sealed class OpsPageDispatcher(Func<HttpContext, Match, bool, Task<OpsPage>> build) : IDashboardDispatcher
{
    public async Task Dispatch(DashboardContext context)
    {
        var page = await build(context.GetHttpContext(), context.UriMatch, context.IsReadOnly);
        // Hangfire binds a page to its request internally; its own page route does that for us.
        var routes = new Hangfire.Dashboard.RouteCollection();
        routes.AddRazorPage("/", _ => page);
        await routes.FindDispatcher("/")!.Item1.Dispatch(context);
    }
}
