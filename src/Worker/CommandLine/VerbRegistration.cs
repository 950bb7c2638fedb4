using BatchOrchestrator.Core.Sources;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// What a verb's host has instead of the service: no web server, no job server, schedules or watchers;
/// the database, Core's use cases and Hangfire's client (so work a verb starts is queued for the service).
/// </summary>
internal static class VerbRegistration
{
    public static void Add(IHostApplicationBuilder builder, VerbOptions verb)
    {
        var services = builder.Services;
        services.AddSingleton<IServer, NoServer>();
        services.TryAddSingleton(VerbConsole.Standard());
        services.AddSingleton<VerbExit>();
        services.AddHostedService<VerbRunner>();
        services.Replace(ServiceDescriptor.Singleton(Verbs.FolderAccess(verb.Name)));
        if (verb.Name == Verbs.Scan)
        {
            services.AddSingleton<ScanProgress>();
            services.AddSingleton<ScanProgressDisplay>();
            var store = services.Last(d => d.ServiceType == typeof(ISourceScanStore));
            services.Remove(store);
            services.AddSingleton<ISourceScanStore>(sp => new ProgressReportingScanStore(
                (ISourceScanStore)ActivatorUtilities.CreateInstance(sp, store.ImplementationType!), sp.GetRequiredService<ScanProgress>()));
        }
    }

}
