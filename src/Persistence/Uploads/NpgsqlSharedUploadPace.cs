using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Persistence.Uploads;

/// <summary>
/// A project's upload slots in <c>orchestrator.upload_pace</c>: one row per project holding when its next free slot begins.
/// A reservation moves it on under the row's lock, so two instances never get the same slots; the database's clock is the
/// only one read, and the answer is a wait, not a time, so the instances' clocks never meet.
/// </summary>
internal sealed class NpgsqlSharedUploadPace(NpgsqlDataSource dataSource) : ISharedUploadPace
{
    /// <summary>How long a claim outlives the reservation that made it, at the least: several reservations of a steady upload.</summary>
    public static readonly TimeSpan ClaimFor = TimeSpan.FromSeconds(5);

    public async Task<SlotReservation> ReserveAsync(
        string project, Guid instance, int weight, int slots, TimeSpan interval, TimeSpan atMost, CancellationToken cancellationToken)
    {
        // The claim is written whether or not it is read (a data-modifying CTE always runs); the other instances' live claims
        // are read as they were when the statement began, which is all a claim a few seconds long needs. Of two claims, the
        // heavier reserves all the slots and the lighter the part its weight is of the heavier's (at least one), so turn by
        // turn their uploads go as their weights say, as lanes within one process do. Held longer than the caller may wait,
        // the row is left as it is and its wait returned instead (the last arm).
        await using var command = dataSource.CreateCommand("""
            with claim as (
                insert into orchestrator.upload_pace_claim as c (project, instance, weight, until)
                values ($1, $5, $6, clock_timestamp() + greatest($7, $2 * $3 * 4))
                on conflict (project, instance) do update set weight = excluded.weight, until = excluded.until),
            expired as (
                delete from orchestrator.upload_pace_claim where project = $1 and until < clock_timestamp() - interval '1 hour'),
            share as (
                select case when coalesce(max(c.weight), 0) > $6 then greatest(1, round($2 * $6::numeric / max(c.weight)))::int else $2 end as slots
                from orchestrator.upload_pace_claim c
                where c.project = $1 and c.instance <> $5 and c.until > clock_timestamp()),
            reserved as (
                insert into orchestrator.upload_pace as p (project, next_at) select $1, clock_timestamp() + s.slots * $3 from share s
                on conflict (project) do update set next_at = greatest(p.next_at, clock_timestamp()) + (select slots from share) * $3
                where p.next_at - clock_timestamp() <= $4
                returning p.next_at - (select slots from share) * $3 - clock_timestamp() as starts_in, (select slots from share) as slots)
            select starts_in, slots from reserved
            union all
            select next_at - clock_timestamp(), 0 from orchestrator.upload_pace where project = $1 and not exists (select 1 from reserved)
            """);
        command.Parameters.Add(Text(project));
        command.Parameters.Add(Int(slots));
        command.Parameters.Add(Interval(interval));
        command.Parameters.Add(Interval(atMost));
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = instance });
        command.Parameters.Add(Int(weight));
        command.Parameters.Add(Interval(ClaimFor));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new SlotReservation(reader.GetFieldValue<TimeSpan>(0), reader.GetInt32(1));
    }

    public async Task HoldAsync(string project, TimeSpan hold, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            insert into orchestrator.upload_pace as p (project, next_at) values ($1, clock_timestamp() + $2)
            on conflict (project) do update set next_at = greatest(p.next_at, clock_timestamp() + $2)
            """);
        command.Parameters.Add(Text(project));
        command.Parameters.Add(Interval(hold));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
