using Hangfire;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// Mounts the Hangfire dashboard. Local requests only (Hangfire's default, stated explicitly because
/// setting any other filter silently drops it), and the storage connection string is never shown.
/// </summary>
internal sealed class DashboardStartupFilter(IOptions<OpsDashboardOptions> options) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        app.UseHangfireDashboard(options.Value.Path, new DashboardOptions
        {
            DashboardTitle = "BatchOrchestrator",
            Authorization = [new LocalRequestsOnlyAuthorizationFilter()],
            DisplayStorageConnectionString = false,
        });
    };
}
