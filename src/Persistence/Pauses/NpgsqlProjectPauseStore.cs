using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Persistence.Batches;

namespace BatchOrchestrator.Persistence.Pauses;

/// <summary>The pauses every instance shares, in <c>orchestrator.project_pause</c>; the database clock decides when a probe is due.</summary>
internal sealed class NpgsqlProjectPauseStore(NpgsqlDataSource dataSource) : IProjectPauseStore
{
    public async Task<IReadOnlyList<ProjectPause>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select project_id, organization_id, reason, since, next_probe_at, last_error
            from orchestrator.project_pause order by project, reason
            """);
        var pauses = new List<ProjectPause>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            pauses.Add(new ProjectPause(
                ScopeColumns.Read(reader, 0),
                PauseReasons.FromLabel(reader.GetString(2)),
                reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return pauses;
    }

    public async Task<bool> PauseAsync(ProjectScope scope, PauseReason reason, DateTimeOffset nextProbeAt, string? error, CancellationToken cancellationToken)
    {
        // xmax = 0 only on a freshly inserted row: tells a new pause from one already in force.
        await using var command = dataSource.CreateCommand("""
            insert into orchestrator.project_pause as p (project, reason, project_id, organization_id, next_probe_at, last_error)
            values ($1, $2, $3, $4, $5, $6)
            on conflict (project, reason) do update
                set next_probe_at = excluded.next_probe_at, last_error = excluded.last_error, updated_at = now()
            returning xmax = 0
            """);
        command.Parameters.Add(Text(scope.Key));
        command.Parameters.Add(Text(reason.Label()));
        command.Parameters.Add(ScopeColumns.Project(scope));
        command.Parameters.Add(ScopeColumns.Organization(scope));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = nextProbeAt });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = error, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    public async Task<bool> ResumeAsync(string project, PauseReason reason, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("delete from orchestrator.project_pause where project = $1 and reason = $2");
        command.Parameters.Add(Text(project));
        command.Parameters.Add(Text(reason.Label()));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> ClaimProbeAsync(string project, PauseReason reason, DateTimeOffset nextProbeAt, CancellationToken cancellationToken)
    {
        // One statement: of two instances whose probes fall due together, only one finds the row still due.
        await using var command = dataSource.CreateCommand("""
            update orchestrator.project_pause set next_probe_at = $3, updated_at = now()
            where project = $1 and reason = $2 and next_probe_at <= now()
            """);
        command.Parameters.Add(Text(project));
        command.Parameters.Add(Text(reason.Label()));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = nextProbeAt });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
