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
        server = await SandboxServer.StartAsync(options, loggerFactory, cancellationToken);
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
