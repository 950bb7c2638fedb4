namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// Makes our overview what an operator lands on: the dashboard's root redirects to it (Hangfire's own
/// root is its realtime graph, which says nothing about files), and that graph stays one click away at
/// <see cref="RealtimePath"/>. Hangfire's other pages keep their addresses and its navigation.
/// </summary>
internal static class DashboardLanding
{
    public const string OverviewPath = "/ops/overview";
    public const string RealtimePath = "/realtime";

    public static void Use(IApplicationBuilder app, string dashboardPath)
    {
        var root = dashboardPath.TrimEnd('/');
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            if (HttpMethods.IsGet(context.Request.Method) && (path == root || path == root + "/") && !context.Request.QueryString.HasValue)
            {
                context.Response.Redirect(context.Request.PathBase + root + OverviewPath);
                return;
            }

            if (path == root + RealtimePath)
            {
                context.Request.Path = root + "/"; // Hangfire's home page, served under another address
            }

            await next(context);
        });
    }
}
