using BatchOrchestrator.Core.Ticks;
using NpgsqlTypes;

namespace BatchOrchestrator.Persistence.Ticks;

/// <summary>
/// When the poll tick next has work: the earliest of seven moments, six of them the first row of a partial index
/// whose predicate is the same as the claim or sweep it stands for (batch_due, batch_open_steps,
/// batch_follow_up_due, batch_open_by_age, batch_result_pending_by_age, batch_webhook_unconfirmed), so the answer costs a few index
/// probes however many rows there are; the seventh is the next probe of a paused project (a handful of rows
/// at most, one per project and reason). A change to one of those claims must change its line here too
/// (NpgsqlPollTickStoreFacts holds each line to its claim).
/// </summary>
internal sealed class NpgsqlPollTickStore(NpgsqlDataSource dataSource) : IPollTickStore
{
    public async Task<TimeSpan?> TimeUntilDueAsync(PollTickAges ages, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select least(
                (select min(next_poll_at) from orchestrator.batch where state = any($5)),
                (select min(updated_at) from orchestrator.batch where state = any($6)) + $1,
                case when $4 then (select min(follow_up_next_at) from orchestrator.batch where follow_up_next_at is not null) end,
                (select min(created_at) from orchestrator.batch where state <> all($7) and stuck_since is null) + $2,
                (select min(recorded_at) from orchestrator.batch_result where follow_up_state = any($8) and stuck_since is null) + $3,
                (select min(finished_at) from orchestrator.batch
                 where webhook_expected and webhook_terminal_at is null and webhook_missed_at is null and remote_batch_id is not null) + $9,
                (select min(next_probe_at) from orchestrator.project_pause)
            ) - now()
            """);
        command.Parameters.Add(Interval(ages.StalledAfter));
        command.Parameters.Add(Interval(ages.StuckAfter));
        command.Parameters.Add(Interval(ages.JobStuckAfter));
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = ages.FollowUps });
        // The same states as the claims bind (Core's lifecycles), so the partial indexes' predicates still match.
        command.Parameters.Add(BatchLifecycle.Poll.FromStates());
        command.Parameters.Add(StateParameters.Names(BatchLifecycle.AwaitingLocalStep));
        command.Parameters.Add(StateParameters.Names(BatchLifecycle.Ended));
        command.Parameters.Add(StateParameters.Names(FollowUpLifecycle.Waiting));
        command.Parameters.Add(new NpgsqlParameter { Value = ages.WebhookMissedAfter is { } missed ? missed : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Interval });
        return await command.ExecuteScalarAsync(cancellationToken) is TimeSpan until ? until : null;
    }
}
