namespace BatchOrchestrator.Worker.IntegrationTests.Hosting;

/// <summary>
/// Source schedules live in the database every instance shares. An instance started without one of the sources
/// (an older configuration, a node restarted mid-deploy) must not switch that source off for the instances that
/// have it; once no other instance is alive, a schedule no configuration names is removed.
/// </summary>
public sealed class SharedScheduleFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private const string OtherSchedule = "run-source-other";

    [Fact]
    public async Task AnInstanceWithoutASource_LeavesItsScheduleToALiveInstanceThatHasIt_AndRemovesItWhenAlone()
    {
        Directory.CreateDirectory(Path.Combine(Env.Root, "other"));
        var withOther = Env.Settings();
        withOther["Sources:1:Name"] = "other";
        withOther["Sources:1:Path"] = "other";
        withOther["Sources:1:Schedule"] = "0 3 * * *";
        var without = Env.Settings();

        await using (await WorkerHost.StartAsync(Env.Root, withOther))
        {
            Assert.Equal(1L, await SchedulesAsync());
            var logs = new CapturingSink();
            await using (await WorkerHost.StartAsync(Env.Root, without, logs))
            {
                Assert.Equal(1L, await SchedulesAsync()); // the other instance is alive and has the source
                Assert.Contains(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains($"Schedule \"{OtherSchedule}\" names a source this instance is not configured with", StringComparison.Ordinal));
            }
        }

        // Both stopped (a stopped server leaves Hangfire's list): an instance without the source, alone, removes it, and
        // warns: a source renamed is removed too, and its new name starts afresh, sending and billing every file again.
        var alone = new CapturingSink();
        await using (await WorkerHost.StartAsync(Env.Root, without, alone))
        {
            Assert.Equal(0L, await SchedulesAsync());
            Assert.Contains(alone.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal)
                && l.Contains($"Removed schedule \"{OtherSchedule}\": its source is no longer configured", StringComparison.Ordinal)
                && l.Contains("sends and bills each of its files again", StringComparison.Ordinal)
                && l.Contains("run 'rename-source other <new name>' before the new one runs", StringComparison.Ordinal)); // the verb that moves its record
        }
    }

    [Fact]
    public async Task InstancesWithoutAKeyOnOneDatabase_AreWarnedThatTheirInProcessSandboxesAreApart()
    {
        var noKey = Env.Settings();
        noKey["LLAMA_CLOUD_API_KEY"] = null;
        noKey["LLAMA_CLOUD_BASE_URL"] = null;
        var first = new CapturingSink();
        var second = new CapturingSink();

        await using (await WorkerHost.StartAsync(Env.Root, noKey, first))
        await using (await WorkerHost.StartAsync(Env.Root, noKey, second))
        {
            Assert.DoesNotContain(first.Lines, l => l.Contains("its own in-process Sandbox", StringComparison.Ordinal)); // alone when it started
            Assert.Contains(second.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("has no LLAMA_CLOUD_API_KEY: each such instance has its own in-process Sandbox", StringComparison.Ordinal));
        }

        // With a key (one LlamaCloud, or one standalone Sandbox, for all), nothing to warn about.
        var keyed = new CapturingSink();
        await using (await WorkerHost.StartAsync(Env.Root, Env.Settings()))
        await using (await WorkerHost.StartAsync(Env.Root, Env.Settings(), keyed))
        {
            Assert.DoesNotContain(keyed.Lines, l => l.Contains("in-process Sandbox", StringComparison.Ordinal));
        }
    }

    private Task<long> SchedulesAsync() =>
        Env.Database.ScalarAsync<long>("select count(*) from hangfire.set where key = 'recurring-jobs' and value = $1", OtherSchedule);
}
