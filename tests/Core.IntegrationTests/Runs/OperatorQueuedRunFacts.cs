using BatchOrchestrator.Core.Operations;
using BatchOrchestrator.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace BatchOrchestrator.Core.IntegrationTests.Runs;

/// <summary>
/// An approval past a spending cap and a retry of failed files commit the files, then ask Hangfire for the run that takes
/// them. Refused there (its storage unavailable; a kill between the two likewise), the operator saw an error, and asking
/// again found nothing left to approve or retry: the files waited for the source's schedule. The poll tick's look for owed
/// runs asks for that run once it should long have started (docs/resilience.md, "Runs that were owed and never came").
/// </summary>
public sealed class OperatorQueuedRunFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private const string Source = PipelineHarness.SourceName;

    [Fact]
    public async Task FailedFilesAnOperatorRetried_WhoseRunCouldNotBeQueued_GetItFromThePollTick_Once()
    {
        Harness.WriteFile("a.txt", "alpha");
        await Harness.PlanOneBatchAsync(Ct);
        await Harness.Database.ExecuteAsync("update orchestrator.file_version set state = 'Failed', error_class = 'Transient', process_attempts = 3"); // failed for good

        await using (var refusing = Harness.AnotherInstance(new RecordingScheduler(), s => s.AddSingleton<IPipelineScheduler>(new RefusingScheduler())))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => refusing.GetRequiredService<OperatorCommands>().RetryFailedAsync(Source, Ct));
        }

        await AssertTheRunIsOwedOnceAsync(Harness, files: 1);
    }

    [Fact]
    public async Task FilesAnOperatorApprovedPastACap_WhoseRunCouldNotBeQueued_GetItFromThePollTick_Once()
    {
        var (harness, run) = await OneFileHeldByACapAsync();
        await using var disposing = harness;

        await using (var refusing = harness.AnotherInstance(new RecordingScheduler(), s => s.AddSingleton<IPipelineScheduler>(new RefusingScheduler())))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => refusing.GetRequiredService<OperatorCommands>().ApproveHeldAsync(run, Ct));
        }

        await AssertTheRunIsOwedOnceAsync(harness, files: 1);
    }

    [Fact]
    public async Task FilesAnOperatorApproved_AfterTheRunAskedForFilesSentBackWasLost_GetTheirOwnRun()
    {
        // Two losses in a row: the run the poll tick asked for files sent back never came, and neither did the approval's.
        var (harness, run) = await OneFileHeldByACapAsync();
        await using var disposing = harness;
        await harness.Database.ExecuteAsync(
            "update orchestrator.file_version set state = 'Discovered', batch_id = null, error_class = 'Transient', process_attempts = 1 where relative_path = 'a.txt'");
        await OwedRunsFacts.AgeAsync(harness, TimeSpan.FromMinutes(31));
        await harness.Get<OwedRuns>().CheckAsync(Ct);
        Assert.Single(harness.Scheduler.Calls, c => c == ("run", $"{Source}:Retry"));
        await harness.Database.ExecuteAsync("update orchestrator.source set owed_run_asked_at = owed_run_asked_at - interval '30 minutes'");

        await using (var refusing = harness.AnotherInstance(new RecordingScheduler(), s => s.AddSingleton<IPipelineScheduler>(new RefusingScheduler())))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => refusing.GetRequiredService<OperatorCommands>().ApproveHeldAsync(run, Ct));
        }

        await OwedRunsFacts.AgeAsync(harness, TimeSpan.FromMinutes(11));
        await harness.Get<OwedRuns>().CheckAsync(Ct);
        await harness.Get<OwedRuns>().CheckAsync(Ct);

        Assert.Equal(1, RunsAsked(harness));
        Assert.Single(harness.Scheduler.Calls, c => c == ("run", $"{Source}:Retry"));
    }

    /// <summary>A run of three files under a cap of two a day: one is held, waiting for an operator's approval.</summary>
    private async Task<(PipelineHarness Harness, long Run)> OneFileHeldByACapAsync()
    {
        var harness = await PipelineHarness.CreateAsync(Server, CapSettings.TwoFilesADay());
        harness.WriteFile("a.txt", "alpha");
        harness.WriteFile("b.txt", "beta");
        harness.WriteFile("c.txt", "gamma");
        await harness.Get<SourceRunner>().RunAsync(Source, RunTrigger.Manual, Ct);
        return (harness, await harness.Database.ScalarAsync<long>("select max(id) from orchestrator.run"));
    }

    private static async Task AssertTheRunIsOwedOnceAsync(PipelineHarness harness, int files)
    {
        await OwedRunsFacts.AgeAsync(harness, TimeSpan.FromMinutes(9)); // the run asked for may still be on its way
        await harness.Get<OwedRuns>().CheckAsync(Ct);
        Assert.Equal(0, RunsAsked(harness));

        await OwedRunsFacts.AgeAsync(harness, TimeSpan.FromMinutes(2));
        await harness.Get<OwedRuns>().CheckAsync(Ct);
        await harness.Get<OwedRuns>().CheckAsync(Ct); // another look, or another instance's: the ask is recorded
        Assert.Equal(1, RunsAsked(harness));
        var warning = Assert.Single(harness.Logs.Lines, l => l.Contains("an operator put in the queue by", StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Contains($"{files} files of {Source} an operator put in the queue", warning, StringComparison.Ordinal);

        // The run it asked for takes them; once it has started, nothing is owed, even with the ask forgotten.
        await harness.Get<SourceRunner>().RunAsync(Source, RunTrigger.Manual, Ct);
        Assert.Equal(0L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where operator_queued_at is not null and batch_id is null"));
        await harness.Database.ExecuteAsync("update orchestrator.source set owed_run_asked_at = null");
        await harness.Get<OwedRuns>().CheckAsync(Ct);
        Assert.Equal(1, RunsAsked(harness));
    }

    private static int RunsAsked(PipelineHarness harness) => harness.Scheduler.Calls.Count(c => c == ("run", $"{Source}:Manual"));
}
