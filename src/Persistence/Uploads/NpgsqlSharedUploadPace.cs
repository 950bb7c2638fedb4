using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Persistence.Uploads;

/// <summary>
/// A project's upload slots in <c>orchestrator.upload_pace</c>: one row per project holding when its next free slot begins.
/// A reservation moves it on under the row's lock, so two instances never get the same slots; the database's clock is the
/// only one read, and the answer is a wait, not a time, so the instances' clocks never meet.
/// </summary>
internal sealed class NpgsqlSharedUploadPace(NpgsqlDataSource dataSource) : ISharedUploadPace
{
    public async Task<TimeSpan> ReserveAsync(string project, int slots, TimeSpan interval, TimeSpan atMost, CancellationToken cancellationToken)
    {
        // Held longer than the caller may wait, the row is left as it is and its wait returned instead (the second arm).
        await using var command = dataSource.CreateCommand("""
            with reserved as (
                insert into orchestrator.upload_pace as p (project, next_at) values ($1, clock_timestamp() + $2 * $3)
                on conflict (project) do update set next_at = greatest(p.next_at, clock_timestamp()) + $2 * $3
                where p.next_at - clock_timestamp() <= $4
                returning p.next_at - $2 * $3 - clock_timestamp() as starts_in)
            select starts_in from reserved
            union all
            select next_at - clock_timestamp() from orchestrator.upload_pace where project = $1 and not exists (select 1 from reserved)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = slots });
        command.Parameters.Add(Interval(interval));
        command.Parameters.Add(Interval(atMost));
        return (TimeSpan)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task HoldAsync(string project, TimeSpan hold, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            insert into orchestrator.upload_pace as p (project, next_at) values ($1, clock_timestamp() + $2)
            on conflict (project) do update set next_at = greatest(p.next_at, clock_timestamp() + $2)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
        command.Parameters.Add(Interval(hold));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

}
