using Microsoft.AspNetCore.Hosting;

namespace BatchOrchestrator.Worker.IntegrationTests.Support;

/// <summary>
/// Makes every request to the real host (Kestrel on loopback) arrive from 10.1.2.3, as a caller on
/// another machine would: the first middleware of the pipeline rewrites the connection's remote
/// address, so the dashboard's access rule sees exactly what it sees in production.
/// </summary>
internal sealed class RemoteCaller : IStartupFilter
{
    public static readonly IPAddress Address = IPAddress.Parse("10.1.2.3");

    /// <summary>Registers the filter first, so it wraps everything the host adds.</summary>
    public static void AddTo(IServiceCollection services) =>
        services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, RemoteCaller>());

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress = Address;
            return nextMiddleware(context);
        });
        next(app);
    };
}
