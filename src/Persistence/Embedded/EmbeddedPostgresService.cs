using Microsoft.Extensions.Hosting;

namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>
/// Starts the private server before anything uses the database and stops it last (hosted services stop in reverse
/// order). In between it keeps the server serving (<see cref="EmbeddedPostgres.KeepServingAsync"/>); a server that
/// cannot be started again faults this service, which stops the host with exit code 1, so a supervisor restarts it.
/// </summary>
internal sealed class EmbeddedPostgresService(EmbeddedPostgres server, IHostApplicationLifetime lifetime) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await server.StartAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken); // the watch ends first: the stop below is on purpose, not a crash
        }
        finally
        {
            await server.StopAsync(CancellationToken.None);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not started again once the service is stopping: `systemctl stop` signals every process of the unit, the server
        // too, while the services stopped before this one (the job server first) may still take their time.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        await server.KeepServingAsync(stopping.Token);
    }
}
