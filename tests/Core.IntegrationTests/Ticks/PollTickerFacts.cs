namespace BatchOrchestrator.Core.IntegrationTests.Ticks;

/// <summary>
/// Poll ticks start when work is due, not on a clock: none while nothing is open, one as a batch falls due
/// (slept until then, not until the next idle check), never a second while the first is still queued; and a
/// wall clock set back changes none of it.
/// </summary>
public sealed class PollTickerFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private readonly ShiftedTime clock = new();
    private CountingStore store = null!;

    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["Polling:Interval"] = "00:00:00.200", ["Polling:IdleCheckInterval"] = "00:01:00" },
            services: s =>
            {
                s.AddSingleton<TimeProvider>(clock);
                // The production store, counted: the test waits on the ticker's questions instead of sleeping.
                var production = s.Single(d => d.ServiceType == typeof(IPollTickStore)).ImplementationType!;
                s.AddSingleton<IPollTickStore>(sp => store = new CountingStore((IPollTickStore)ActivatorUtilities.CreateInstance(sp, production)));
            });

    [Fact]
    public async Task RunAsync_HandsOutNoTick_WhileNothingIsOpen_AndOneWhenABatchFallsDue()
    {
        var ticker = Harness.Get<PollTicker>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = ticker.RunAsync(stop.Token);
        await Eventually.WaitAsync(() => Task.FromResult(store.Calls), n => n >= 1, TimeSpan.FromSeconds(10), "the ticker to ask what is due");
        ticker.Wake();
        await Eventually.WaitAsync(() => Task.FromResult(store.Calls), n => n >= 2, TimeSpan.FromSeconds(10), "the ticker to ask again when woken");
        Assert.Empty(Ticks());

        // Due in a second and a half: the ticker sleeps until then, not until its idle check a minute away.
        await SeedBatchAsync("now() + interval '1500 milliseconds'");
        ticker.Wake();
        await Eventually.WaitAsync(() => Task.FromResult(Ticks().Count), n => n == 1, TimeSpan.FromSeconds(15), "a tick as the batch falls due");

        // Still due, but the tick handed out has not run yet: woken or not, no second one.
        var asked = store.Calls;
        ticker.Wake();
        await Eventually.WaitAsync(() => Task.FromResult(store.Calls), n => n >= asked + 3, TimeSpan.FromSeconds(10), "the ticker to look again a few times");
        Assert.Single(Ticks());

        ticker.TickEnded(); // it ran, and the batch is still due (nothing polled it here): the next one comes
        await Eventually.WaitAsync(() => Task.FromResult(Ticks().Count), n => n == 2, TimeSpan.FromSeconds(10), "a second tick once the first ended");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task TickAsync_HoldsOnForATickDueSoon_ThenEnds_AndASecondTickMeanwhileRunsOnce()
    {
        var ticker = Harness.Get<PollTicker>();
        await SeedBatchAsync("now() + interval '1 hour'");
        var passes = 0;

        // Nothing due within Polling:HoldTickFor (a minute by default): one pass, and the job ends.
        await ticker.TickAsync(_ => { passes++; return Task.CompletedTask; }, Ct);
        Assert.Equal(1, passes);

        // Due in a second after the first pass: the same call runs the second pass itself; due in an hour after that, it ends.
        passes = 0;
        var second = 0;
        await ticker.TickAsync(
            async ct =>
            {
                passes++;
                await Harness.Database.ExecuteAsync(passes == 1
                    ? "update orchestrator.batch set next_poll_at = now() + interval '1 second'"
                    : "update orchestrator.batch set next_poll_at = now() + interval '1 hour'");
                if (passes == 1)
                {
                    // While the first holds on, another tick (the backstop's, a webhook's) runs once and ends.
                    await ticker.TickAsync(_ => { second++; return Task.CompletedTask; }, ct);
                }
            },
            Ct);
        Assert.Equal(2, passes);
        Assert.Equal(1, second);
    }

    [Fact]
    public async Task RunAsync_GoesOnHandingOutTicks_AfterTheWallClockIsSetBackAnHour()
    {
        var ticker = Harness.Get<PollTicker>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = ticker.RunAsync(stop.Token);
        await SeedBatchAsync("now()");
        ticker.Wake();
        await Eventually.WaitAsync(() => Task.FromResult(Ticks().Count), n => n == 1, TimeSpan.FromSeconds(10), "a tick for the due batch");

        // An NTP step or a VM resumed from a snapshot: the last tick now reads as an hour in the future.
        clock.Offset = TimeSpan.FromHours(-1);
        ticker.TickEnded();
        await Eventually.WaitAsync(() => Task.FromResult(Ticks().Count), n => n == 2, TimeSpan.FromSeconds(10), "the next tick, not one an hour later");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task TickAsync_HoldingOn_RunsItsNextPassOnTime_WhenTheWallClockIsSetBackMeanwhile()
    {
        var ticker = Harness.Get<PollTicker>();
        await SeedBatchAsync("now() + interval '1 hour'");
        var passes = 0;

        // Set back in the middle of a hold: the holder, asleep, kept every other tick of this instance away for that hour.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bounded.CancelAfter(TimeSpan.FromSeconds(30));
        await ticker.TickAsync(
            async _ =>
            {
                passes++;
                await Harness.Database.ExecuteAsync(passes == 1
                    ? "update orchestrator.batch set next_poll_at = now() + interval '1 second'"
                    : "update orchestrator.batch set next_poll_at = now() + interval '1 hour'");
                if (passes == 1)
                {
                    clock.Offset = TimeSpan.FromHours(-1);
                }
            },
            bounded.Token);
        Assert.Equal(2, passes);
    }

    private List<(string Step, string Argument)> Ticks() => [.. Harness.Scheduler.Calls.Where(c => c.Step == "poll")];

    private async Task SeedBatchAsync(string nextPollAt)
    {
        var runId = await Harness.Database.ScalarAsync<long>("insert into orchestrator.run (source_name, trigger, state) values ('docs', 'Manual', 'Active') returning id");
        await Harness.Database.ExecuteAsync(
            $"""
            insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, remote_batch_id, file_count, next_poll_at)
            values ($1, 'docs', 'Running', 'parse_v2', 'cfg-PARSE_AGENTIC', 'dir-tick', 'bat-tick', 1, {nextPollAt})
            """,
            runId);
    }

    private sealed class CountingStore(IPollTickStore inner) : IPollTickStore
    {
        private int calls;

        public int Calls => Volatile.Read(ref calls);

        public async Task<TimeSpan?> TimeUntilDueAsync(PollTickAges ages, CancellationToken cancellationToken)
        {
            var due = await inner.TimeUntilDueAsync(ages, cancellationToken);
            Interlocked.Increment(ref calls);
            return due;
        }
    }
}
