using BatchOrchestrator.Core;
using BatchOrchestrator.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace BatchOrchestrator.Worker.Tests;

/// <summary>The real Worker host, built by the same three Add calls as Program.cs, on a temporary content root.</summary>
internal sealed class WorkerHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private WorkerHost(WebApplication app, string root)
    {
        this.app = app;
        Root = root;
    }

    public string Root { get; }

    public IServiceProvider Services => app.Services;

    public Uri Address => new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static async Task<WorkerHost> StartAsync(string root, IDictionary<string, string?> settings, ILogEventSink? logSink = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root, EnvironmentName = "Testing", Args = [] });
        var defaults = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Polling:Interval"] = "00:00:01",
            ["Polling:InitialDelay"] = "00:00:00.100",
            ["Polling:MaxDelay"] = "00:00:01",
            ["Hangfire:Server:SchedulePollingInterval"] = "00:00:01",
            ["Hangfire:Storage:QueuePollInterval"] = "00:00:00.200",
            ["Sandbox:StepDelay"] = "00:00:00.050",
        };
        foreach (var (key, value) in settings)
        {
            defaults[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(defaults);
        if (logSink is not null)
        {
            builder.Services.AddSingleton(logSink);
        }

        builder.AddBatchCore();
        builder.AddBatchPersistence();
        builder.AddBatchWorker();
        var app = builder.Build();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new WorkerHost(app, root);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}
