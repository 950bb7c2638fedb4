using Microsoft.Extensions.Hosting;

namespace BatchOrchestrator.Persistence.Migrations;

/// <summary>Brings the schema up to date at start-up, before the job server starts.</summary>
internal sealed class MigrationService(Migrator migrator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
