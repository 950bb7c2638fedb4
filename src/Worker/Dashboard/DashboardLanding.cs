namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// Makes our overview what an operator lands on: the dashboard's root serves it (Hangfire's own root is
/// its realtime graph, which says nothing about files), and that graph stays one click away at
/// <see cref="RealtimePath"/>. Both are rewrites inside the dashboard's address, not redirects, so
/// Hangfire's authorization runs on them as on every other page. Hangfire's other pages keep their
/// addresses and its navigation.
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
            if (path == root || path == root + "/")
            {
                context.Request.Path = root + OverviewPath;
            }
            else if (path == root + RealtimePath)
            {
                context.Request.Path = root + "/"; // Hangfire's home page, served under another address
            }

            await next(context);
        });
    }
}
