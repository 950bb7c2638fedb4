using BatchOrchestrator.Sandbox;

namespace BatchOrchestrator.Worker.Sandbox;

/// <summary>
/// Hosts the Sandbox API inside the Worker when no LlamaCloud key is configured, so a fresh clone
/// runs end to end with nothing sent anywhere. Says so once, loudly.
/// </summary>
internal sealed class InProcessSandbox(SandboxOptions options, ILoggerFactory loggerFactory, ILogger<InProcessSandbox> logger) : IHostedService, IAsyncDisposable
{
    private SandboxServer? server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            server = await SandboxServer.StartAsync(options, loggerFactory, cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            // Named here, where the port is known: start-up's own address-in-use message is about Urls.
            throw new SandboxPortInUseException(
                $"Sandbox:Port: 127.0.0.1:{options.Port} is in use by another program (another service's in-process Sandbox?); stop it, or set Sandbox:Port to a free port (0 picks one)");
        }

        logger.LogWarning(
            "No LLAMA_CLOUD_API_KEY is set: files go to the in-process Sandbox at {Url}, not to LlamaCloud. "
            + "Set LLAMA_CLOUD_API_KEY (or LlamaCloud:ApiKeyFile) to process documents for real",
            server.BaseAddress);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (server is not null)
        {
            await server.DisposeAsync();
            server = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}

/// <summary>The in-process Sandbox's configured port is taken: a start-up failure naming <c>Sandbox:Port</c>.</summary>
internal sealed class SandboxPortInUseException(string message) : InvalidOperationException(message);
