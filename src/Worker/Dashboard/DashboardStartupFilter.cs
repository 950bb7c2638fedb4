using Hangfire;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// Mounts the Hangfire dashboard with our pages. Who may look and who may act is decided by
/// <see cref="DashboardAccess"/> alone (Hangfire's local-only default is dropped as soon as any filter
/// is set, so the locality rule lives there). Antiforgery is on for every POST, and the storage
/// connection string is never shown.
/// </summary>
internal sealed class DashboardStartupFilter(IOptions<OpsDashboardOptions> options, DashboardAccess access) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        OpsRoutes.RegisterOnce();
        DatabaseDownPage.Use(app, options.Value.Path);
        DashboardLanding.Use(app, options.Value.Path);
        app.UseHangfireDashboard(options.Value.Path, new DashboardOptions
        {
            DashboardTitle = "BatchOrchestrator",
            Authorization = [],
            AsyncAuthorization = [access],
            IsReadOnlyFunc = DashboardAccess.IsReadOnly,
            IgnoreAntiforgeryToken = false,
            DisplayStorageConnectionString = false,
            AppPath = null, // no "back to site" link: there is no site
        });
    };
}
