using System.Data.Common;
using BatchOrchestrator.Persistence.Migrations;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BatchOrchestrator.Worker.Health;

/// <summary>
/// Ready only when the schema is at the version this build expects (not older, not newer). Waits for PostgreSQL as
/// <see cref="DatabaseHealthCheck"/> does, and as it fails: in one line, without an exception.
/// </summary>
internal sealed class MigrationsHealthCheck(Migrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (await DatabaseAnswer.WithinAsync(migrator.CurrentVersionAsync, cancellationToken) is not { } current)
            {
                return HealthCheckResult.Unhealthy($"cannot read the schema version: {DatabaseAnswer.NoAnswerWithin(context.Registration.Timeout)}");
            }

            // Behind, 'migrate' brings it up; ahead, a newer build migrated it, and only that build (or a newer one) fits it.
            return current == Migrator.LatestVersion ? HealthCheckResult.Healthy($"schema at version {current}")
                : current < Migrator.LatestVersion ? HealthCheckResult.Unhealthy($"schema at version {current}, this build expects {Migrator.LatestVersion} (run 'migrate')")
                : HealthCheckResult.Unhealthy($"schema at version {current}, newer than this build's {Migrator.LatestVersion}: a newer build migrated it; run that build (or a newer one), not this one");
        }
        catch (DbException ex)
        {
            return HealthCheckResult.Unhealthy($"cannot read the schema version: {ex.Message}");
        }
    }
}
