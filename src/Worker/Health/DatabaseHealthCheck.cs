using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace BatchOrchestrator.Worker.Health;

/// <summary>
/// Ready only while PostgreSQL answers, within the check's timeout (<see cref="HealthOptions.DatabaseTimeout"/>). A failure
/// is a description, never an exception: the health check service logs an exception with its stack trace at every probe.
/// </summary>
internal sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var answered = await DatabaseAnswer.WithinAsync(
                async ct =>
                {
                    await using var command = dataSource.CreateCommand("select 1");
                    await command.ExecuteScalarAsync(ct);
                    return true;
                },
                cancellationToken);
            return answered is null
                ? HealthCheckResult.Unhealthy(DatabaseAnswer.NoAnswerWithin(context.Registration.Timeout))
                : HealthCheckResult.Healthy("PostgreSQL answers");
        }
        catch (DbException ex)
        {
            // The message names host and database at most; Npgsql never puts the password in it.
            return HealthCheckResult.Unhealthy($"PostgreSQL does not answer: {ex.Message}");
        }
    }
}
