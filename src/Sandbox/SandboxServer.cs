using System.Net;
using BatchOrchestrator.Sandbox.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BatchOrchestrator.Sandbox;

/// <summary>A running Sandbox API on loopback.</summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private SandboxServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The base URL, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Starts the Sandbox on 127.0.0.1, discarding its logs.</summary>
    /// <param name="options">Behaviour, port and faults.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    public static Task<SandboxServer> StartAsync(SandboxOptions options, CancellationToken cancellationToken = default)
        => StartAsync(options, loggerFactory: null, cancellationToken);

    /// <summary>
    /// Starts the Sandbox on 127.0.0.1. The application is isolated from the host process: it
    /// reads no appsettings.json, environment variables or ASPNETCORE_URLS, only <paramref name="options"/>.
    /// </summary>
    /// <param name="options">Behaviour, port and faults.</param>
    /// <param name="loggerFactory">Where the Sandbox logs go (e.g. the host's); null discards them.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    public static async Task<SandboxServer> StartAsync(SandboxOptions options, ILoggerFactory? loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(SandboxServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        builder.Services.AddLogging();
        if (loggerFactory is not null)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton(loggerFactory));
        }

        builder.Services.AddSingleton<IHostLifetime, NoopHostLifetime>();
        SandboxApp.AddServices(builder.Services, options);
        var app = builder.Build();
        SandboxApp.Configure(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            // Stopped before it is disposed: its background services started before the bind failed, and disposing
            // them while they run reports each as failed, beside the one reason that matters.
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SandboxServer(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
