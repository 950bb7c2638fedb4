using BatchOrchestrator.Core.IntegrationTests.Resilience;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Ticks;
using Microsoft.Extensions.DependencyInjection;

namespace BatchOrchestrator.Core.IntegrationTests.Runs;

/// <summary>
/// Files sent back to the queue get their run asked for after the sending back commits, in a second write; a process killed
/// between the two left them to the source's next scheduled run, a night away (docs/resilience.md, "Runs that were owed and
/// never came"). The poll tick asks for such a run once the one asked for should long have started. Here the follow-up's
/// ask reaches the recording scheduler, and is then taken as lost: nothing runs it, as nothing would after a kill.
/// </summary>
public sealed class OwedRunsFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private const string Source = PipelineHarness.SourceName;

    [Fact]
    public async Task FilesAFollowUpSentBack_WhoseRunNeverCame_GetOneFromThePollTick_OnceHoweverManyLook_AndThatRunTakesThem()
    {
        var sentBack = await SentBackAsync();
        await AgeAsync(TimeSpan.FromMinutes(31)); // Pipeline:RetryRunAfter (15 minutes) twice, and a minute

        // The service started again after the kill: its first poll tick looks.
        var restarted = new RecordingScheduler();
        var logs = new CapturingLoggerProvider();
        await using (var service = Harness.Restarted(new Dictionary<string, string?>(), restarted, logs))
        {
            await service.GetRequiredService<PollTick>().RunAsync(Ct);
        }

        Assert.Single(restarted.Calls, c => c == ("run", $"{Source}:Retry"));
        var warning = Assert.Single(logs.Lines, l => l.Contains("went back to the queue by", StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Contains($"1 files of {Source} went back", warning, StringComparison.Ordinal);
        Assert.Contains($"a run of {Source} is queued now", warning, StringComparison.Ordinal);

        // Another instance looking too asks for nothing more: the ask is recorded.
        await Harness.Get<OwedRuns>().CheckAsync(Ct);
        Assert.Equal(0, OwedRunsAsked());

        await Harness.Get<SourceRunner>().RunAsync(Source, RunTrigger.Retry, Ct);
        Assert.True(await Harness.Database.ScalarAsync<bool>("select batch_id is not null and state = 'Discovered' from orchestrator.file_version where id = $1", sentBack));

        // Once a run has started after the files went back, nothing is owed, even with the ask forgotten.
        await Harness.Database.ExecuteAsync("update orchestrator.source set owed_run_asked_at = null");
        await Harness.Get<OwedRuns>().CheckAsync(Ct);
        Assert.Equal(0, OwedRunsAsked());
    }

    [Fact]
    public async Task ARunQueuedBehindAHolderThatDied_IsAskedForOnceTheHoldersLeaseRunsOut_AndFindsTheFileDroppedMeanwhile()
    {
        // A process killed mid-run keeps the source's lease until its time to live runs out; the run a restart (or the
        // watcher, or Hangfire's retry of the killed job) asks for meanwhile finds it held and leaves a rerun request for a
        // holder that will never take it.
        await Harness.Database.ExecuteAsync(
            "insert into orchestrator.lease (name, owner, fencing_token, expires_at) values ($1, 'killed-process', 1, now() + interval '2 minutes')", $"source:{Source}");
        Harness.WriteFile("dropped.txt", "dropped while the killed process held the source");
        await Harness.Get<SourceRunner>().RunAsync(Source, RunTrigger.Watch, Ct);
        await Harness.Get<OwedRuns>().CheckAsync(Ct);
        var whileHeld = OwedRunsAsked(RunTrigger.Rerun);

        await Harness.Database.ExecuteAsync("update orchestrator.lease set expires_at = now() - interval '1 second'");
        await Harness.Get<OwedRuns>().CheckAsync(Ct);
        await Harness.Get<OwedRuns>().CheckAsync(Ct); // another look, or another instance's: the request was taken
        var asked = OwedRunsAsked(RunTrigger.Rerun);
        await Harness.Get<SourceRunner>().RunAsync(Source, RunTrigger.Rerun, Ct);

        Assert.Equal((0, 1), (whileHeld, asked)); // while held, the holder may still be alive, and take it itself
        Assert.Equal(1, OwedRunsAsked(RunTrigger.Rerun)); // the run it asked for found the request taken: no second one
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.run where trigger = 'Watch'"));
        Assert.True(await Harness.Database.ScalarAsync<bool>("select batch_id is not null from orchestrator.file_version where relative_path = 'dropped.txt'"));
    }

    [Fact]
    public async Task TwoInstancesLookingAtOnce_AskForOneRun()
    {
        await SentBackAsync();
        await AgeAsync(TimeSpan.FromHours(1));
        var scheduler = new RecordingScheduler();
        await using var other = Harness.AnotherInstance(scheduler);

        await Task.WhenAll(Harness.Get<OwedRuns>().CheckAsync(Ct), other.GetRequiredService<OwedRuns>().CheckAsync(Ct));

        Assert.Equal(1, OwedRunsAsked() + scheduler.Calls.Count(c => c == ("run", $"{Source}:Retry")));
    }

    [Fact]
    public async Task FilesSentBackLessThanTwiceTheRetryDelayAgo_OrWithTheirAttemptsUsedUp_AreOwedNothing()
    {
        var sentBack = await SentBackAsync();
        await AgeAsync(TimeSpan.FromMinutes(29)); // the run asked for may still be on its way: 15 minutes, and Hangfire's queue

        await Harness.Get<OwedRuns>().CheckAsync(Ct);
        Assert.Equal(0, OwedRunsAsked());

        await AgeAsync(TimeSpan.FromHours(1));
        await Harness.Database.ExecuteAsync("update orchestrator.file_version set process_attempts = 3 where id = $1", sentBack); // MaxAttempts 3: failed for good
        await Harness.Get<OwedRuns>().CheckAsync(Ct);
        Assert.Equal(0, OwedRunsAsked());
        Assert.DoesNotContain(Harness.Logs.Lines, l => l.Contains("went back to the queue by", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARunAskedForThatWaitsBehindAnotherOfTheSource_IsNoRunOwed()
    {
        await SentBackAsync();
        await AgeAsync(TimeSpan.FromHours(1));
        // The run asked for found one under way and waits behind it (SourceRunner): it comes once that one ends.
        await Harness.Database.ExecuteAsync("update orchestrator.source set rerun_requested_at = now() where name = $1", Source);

        await Harness.Get<OwedRuns>().CheckAsync(Ct);

        Assert.Equal(0, OwedRunsAsked());
    }

    [Fact]
    public async Task AnOwedRunThatCouldNotBeQueued_IsAskedForAgainByTheNextLook()
    {
        await SentBackAsync();
        await AgeAsync(TimeSpan.FromHours(1));
        await using (var failing = Harness.AnotherInstance(new RecordingScheduler(), s => s.AddSingleton<IPipelineScheduler>(new RefusingScheduler())))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => failing.GetRequiredService<OwedRuns>().CheckAsync(Ct));
        }

        await Harness.Get<OwedRuns>().CheckAsync(Ct);

        Assert.Equal(1, OwedRunsAsked());
    }

    [Fact]
    public async Task ARunThatLeftFilesUnsettled_WhoseLookNeverCame_GetsASettleRun_Once()
    {
        await RunLeftUnsettledAsync(scannedAgo: TimeSpan.FromMinutes(16), unsettled: 2);

        await Harness.Get<OwedRuns>().CheckAsync(Ct);
        await Harness.Get<OwedRuns>().CheckAsync(Ct);

        Assert.Single(Harness.Scheduler.Calls, c => c == ("run", $"{Source}:Settle"));
        var warning = Assert.Single(Harness.Logs.Lines, l => l.Contains("left 2 files unsettled", StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunThatLeftFilesUnsettledLessThanItsLookAndTenMinutesAgo_IsOwedNothing()
    {
        // Looked at five minutes after a scan at the earliest (a file written to without end, docs/sources.md), and given ten more.
        await RunLeftUnsettledAsync(scannedAgo: TimeSpan.FromMinutes(14), unsettled: 1);

        await Harness.Get<OwedRuns>().CheckAsync(Ct);

        Assert.DoesNotContain(Harness.Scheduler.Calls, c => c.Step == "run");
    }

    [Fact]
    public async Task WithRetryRunsOff_FilesSentBackWaitForTheSchedule_AsTheOperatorChose()
    {
        await using var harness = await PipelineHarness.CreateAsync(Server, new Dictionary<string, string?> { ["Pipeline:RetryRunAfter"] = "00:00:00" });
        await SentBackAsync(harness);
        await AgeAsync(harness, TimeSpan.FromDays(1));

        await harness.Get<OwedRuns>().CheckAsync(Ct);

        Assert.DoesNotContain(harness.Scheduler.Calls, c => c.Step == "run");
    }

    /// <summary>The source's last run, as one that scanned <paramref name="scannedAgo"/> and left files unsettled records itself.</summary>
    private async Task RunLeftUnsettledAsync(TimeSpan scannedAgo, int unsettled)
    {
        await Harness.Database.ExecuteAsync("insert into orchestrator.source (name) values ($1) on conflict do nothing", Source);
        await Harness.Database.ExecuteAsync(
            """
            insert into orchestrator.run (source_name, trigger, state, started_at, scanned_at, finished_at, files_unsettled)
            values ($1, 'Schedule', 'NoChanges', now() - $2 - interval '1 minute', now() - $2, now() - $2, $3)
            """,
            Source,
            scannedAgo,
            unsettled);
    }

    private Task<long> SentBackAsync() => SentBackAsync(Harness);

    private Task AgeAsync(TimeSpan age) => AgeAsync(Harness, age);

    /// <summary>A batch of two files whose follow-up sends one back (its job timed out: a later batch may cure it); returns its version.</summary>
    private static async Task<long> SentBackAsync(PipelineHarness harness)
    {
        harness.WriteFile("a-slow.txt", "times out");
        harness.WriteFile("b.txt", "fine");
        await harness.Admin.SetFaultsAsync(new { fail_files_matching = "slow", file_failure_message = "Processing timed out after 1800 seconds" });
        var batch = Assert.Single(await harness.RunToRecordedAsync(Ct));
        await FollowUpChunks.WaitForItsJobsToEndAsync(harness, batch, Ct);
        await harness.FollowUpAllAsync([batch], Ct);

        // The follow-up asked for its run (unless retry runs are off): lost here, as in a process killed right after the save.
        Assert.Equal(harness.Get<IOptions<PipelineOptions>>().Value.RetryRunAfter > TimeSpan.Zero, harness.Scheduler.Delays.Any(d => d.Step == "scheduled-run" && d.Argument == $"{Source}:Retry"));
        return await harness.Database.ScalarAsync<long>(
            "select id from orchestrator.file_version where relative_path = 'a-slow.txt' and state = 'Failed' and error_class = 'Transient'");
    }

    /// <summary>Moves the source's versions and runs <paramref name="age"/> into the past, keeping their order.</summary>
    internal static async Task AgeAsync(PipelineHarness harness, TimeSpan age)
    {
        await harness.Database.ExecuteAsync("update orchestrator.file_version set updated_at = updated_at - $1, operator_queued_at = operator_queued_at - $1", age);
        await harness.Database.ExecuteAsync("update orchestrator.run set started_at = started_at - $1, scanned_at = scanned_at - $1", age);
    }

    private int OwedRunsAsked(RunTrigger trigger = RunTrigger.Retry) => Harness.Scheduler.Calls.Count(c => c == ("run", $"{Source}:{trigger}"));
}
