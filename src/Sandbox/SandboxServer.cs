namespace BatchOrchestrator.Sandbox;

/// <summary>A running Sandbox API on loopback.</summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private SandboxServer(Uri baseAddress) => BaseAddress = baseAddress;

    /// <summary>The base URL, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Starts the Sandbox on 127.0.0.1.</summary>
    public static Task<SandboxServer> StartAsync(SandboxOptions options, CancellationToken cancellationToken = default)
        => throw new NotImplementedException("The Sandbox is being built (issue 2/3).");

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
