using System.Data.Common;
using BatchOrchestrator.Persistence.Migrations;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BatchOrchestrator.Worker.Health;

/// <summary>Ready only when the schema is at the version this build expects (not older, not newer).</summary>
internal sealed class MigrationsHealthCheck(Migrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var current = await migrator.CurrentVersionAsync(cancellationToken);
            return current == Migrator.LatestVersion
                ? HealthCheckResult.Healthy($"schema at version {current}")
                : HealthCheckResult.Unhealthy($"schema at version {current}, this build expects {Migrator.LatestVersion} (run 'migrate')");
        }
        catch (DbException ex)
        {
            return HealthCheckResult.Unhealthy($"cannot read the schema version: {ex.Message}");
        }
    }
}
