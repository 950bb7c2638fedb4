using Microsoft.Extensions.Hosting;

namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>Starts the private server before anything uses the database and stops it last (hosted services stop in reverse order).</summary>
internal sealed class EmbeddedPostgresService(EmbeddedPostgres server) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => server.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => server.StopAsync(CancellationToken.None);
}
