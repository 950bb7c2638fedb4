using BatchOrchestrator.Core.Ticks;
using BatchOrchestrator.Persistence.FollowUp;
using BatchOrchestrator.Persistence.Ticks;
using BatchOrchestrator.Persistence.Watchdog;

namespace BatchOrchestrator.Persistence.IntegrationTests.Ticks;

/// <summary>
/// The poll tick starts only when this store says something is due, so each of its lines must say "due"
/// exactly when the claim or sweep it stands for would act, and stop saying it once that claim has acted.
/// </summary>
public sealed class NpgsqlPollTickStoreFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private static readonly PollTickAges Ages = new(StalledAfter: TimeSpan.FromMinutes(10), StuckAfter: TimeSpan.FromHours(6), JobStuckAfter: TimeSpan.FromHours(2), FollowUps: true);

    private NpgsqlPollTickStore Store => new(Database.DataSource);

    [Fact]
    public async Task TimeUntilDue_IsNull_WithNothingOpen()
    {
        await BatchAsync("ResultsRecorded", "next_poll_at = now() - interval '1 hour'");

        Assert.Null(await Store.TimeUntilDueAsync(Ages, Ct));
    }

    [Fact]
    public async Task TimeUntilDue_FollowsTheNextPoll_AndIsOverOnceThePollerClaimsTheBatch()
    {
        await BatchAsync("Running", "next_poll_at = now() + interval '30 seconds'");
        Assert.InRange((await Store.TimeUntilDueAsync(Ages, Ct))!.Value, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));

        await Database.ExecuteAsync("update orchestrator.batch set next_poll_at = now() - interval '1 second'");
        Assert.True(await Store.TimeUntilDueAsync(Ages, Ct) <= TimeSpan.Zero);

        Assert.Single(await new NpgsqlBatchStore(Database.DataSource).ClaimDueAsync(10, TimeSpan.FromMinutes(1), Ct));
        Assert.True(await Store.TimeUntilDueAsync(Ages, Ct) > TimeSpan.FromSeconds(50));
    }

    [Theory]
    [InlineData("Planned")]
    [InlineData("Creating")]
    [InlineData("Completed")]
    public async Task TimeUntilDue_IsDueForAStalledStep_UntilTheSweepHandsItOut(string state)
    {
        await BatchAsync(state, "updated_at = now() - interval '11 minutes'");
        Assert.True(await Store.TimeUntilDueAsync(Ages, Ct) <= TimeSpan.Zero);

        Assert.Single(await new NpgsqlBatchStore(Database.DataSource).ClaimStalledAsync(Ages.StalledAfter, 10, Ct));
        Assert.True(await Store.TimeUntilDueAsync(Ages, Ct) > TimeSpan.FromMinutes(9));
    }

    [Fact]
    public async Task TimeUntilDue_IsDueForAFollowUp_OnlyWhenFollowUpsAreOn_UntilTheyAreHandedOut()
    {
        await BatchAsync("ResultsRecorded", "follow_up_next_at = now() - interval '1 second'");
        Assert.Null(await Store.TimeUntilDueAsync(Ages with { FollowUps = false }, Ct));
        Assert.True(await Store.TimeUntilDueAsync(Ages, Ct) <= TimeSpan.Zero);

        Assert.Single(await new NpgsqlFollowUpStore(Database.DataSource).ClaimDueAsync(10, TimeSpan.FromMinutes(5), Ct));
        Assert.True(await Store.TimeUntilDueAsync(Ages, Ct) > TimeSpan.FromMinutes(4));
    }

    [Fact]
    public async Task TimeUntilDue_IsDueForStuckWork_UntilTheWatchdogFlagsIt()
    {
        // An open batch past Watchdog:StuckAfter (its next poll far away), and a job reference past JobStuckAfter.
        var batchId = await BatchAsync("Pending", "next_poll_at = now() + interval '1 day', created_at = now() - interval '7 hours'");
        Assert.True(await Store.TimeUntilDueAsync(Ages, Ct) <= TimeSpan.Zero);
        var watchdog = new NpgsqlWatchdogStore(Database.DataSource);
        Assert.Single((await watchdog.FlagStuckAsync(Ages.StuckAfter, Ages.JobStuckAfter, 10, "interrupted", Ct)).Batches);
        Assert.True(await Store.TimeUntilDueAsync(Ages, Ct) > TimeSpan.FromHours(23));

        await Database.ExecuteAsync(
            "insert into orchestrator.batch_result (batch_id, source_directory_file_id, job_id, follow_up_state, recorded_at) values ($1, 'dfl-1', 'job-1', 'Recorded', now() - interval '3 hours')",
            batchId);
        Assert.True(await Store.TimeUntilDueAsync(Ages with { FollowUps = false }, Ct) <= TimeSpan.Zero);
        Assert.Single((await watchdog.FlagStuckAsync(Ages.StuckAfter, Ages.JobStuckAfter, 10, "interrupted", Ct)).Jobs);
        Assert.True(await Store.TimeUntilDueAsync(Ages with { FollowUps = false }, Ct) > TimeSpan.FromHours(23));
    }

    [Fact]
    public async Task TimeUntilDue_IsDueForAnEndedBatchWhoseWebhookNeverCame_UntilTheLivenessSweepFlagsIt()
    {
        await BatchAsync("ResultsRecorded", "webhook_expected = true, finished_at = now() - interval '20 minutes'");
        var ages = Ages with { WebhookMissedAfter = TimeSpan.FromMinutes(15) };
        Assert.Null(await Store.TimeUntilDueAsync(Ages, Ct)); // not asked: nothing else is open
        Assert.True(await Store.TimeUntilDueAsync(ages, Ct) <= TimeSpan.Zero);

        Assert.Single(await new NpgsqlWebhookLivenessStore(Database.DataSource).FlagMissedAsync(ages.WebhookMissedAfter!.Value, 10, Ct));
        Assert.Null(await Store.TimeUntilDueAsync(ages, Ct));
    }

    [Fact]
    public async Task TimeUntilDue_FollowsAPausedProjectsNextProbe_AndIsOverOnceThePauseLifts()
    {
        // A pause's probe is the tick's work too: without this line a paused project would wait for the backstop tick.
        await Database.ExecuteAsync(
            "insert into orchestrator.project_pause (project, reason, next_probe_at) values ('default', 'circuit_open', now() + interval '30 seconds')");
        Assert.InRange((await Store.TimeUntilDueAsync(Ages, Ct))!.Value, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));

        await Database.ExecuteAsync("delete from orchestrator.project_pause");
        Assert.Null(await Store.TimeUntilDueAsync(Ages, Ct));
    }

    private async Task<long> BatchAsync(string state, string set)
    {
        var runId = await Seed.RunAsync(Database, "docs");
        var batchId = await Database.ScalarAsync<long>(
            """
            insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, remote_batch_id, file_count)
            values ($1, 'docs', $2, 'parse_v2', 'cfg-PARSE_AGENTIC', 'dir-' || gen_random_uuid(), 'bat-' || gen_random_uuid(), 1) returning id
            """,
            runId,
            state);
        await Database.ExecuteAsync($"update orchestrator.batch set {set} where id = $1", batchId);
        return batchId;
    }
}
