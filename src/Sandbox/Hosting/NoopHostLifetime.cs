namespace BatchOrchestrator.Sandbox.Hosting;

/// <summary>
/// Hosted in-process, the Sandbox must not take over Ctrl+C / SIGTERM from the host; the host
/// stops it by disposing the <see cref="SandboxServer"/>.
/// </summary>
internal sealed class NoopHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
