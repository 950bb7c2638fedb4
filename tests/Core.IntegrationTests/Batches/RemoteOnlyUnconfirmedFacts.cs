using BatchOrchestrator.Core.Operations;
using BatchOrchestrator.Core.Retries;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A RemoteOnly source's batch whose submit step gave up without learning whether LlamaCloud made it: every batch over the
/// directory parses and bills every file in it, so the source plans none until an operator says that batch was looked for.
/// </summary>
public sealed class RemoteOnlyUnconfirmedFacts(PostgresServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARemoteOnlyBatchLlamaCloudMayHaveMade_StopsItsSourcesRuns_UntilARetryNamesIt()
    {
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
        {
            ["Pipeline:MaxStepAttempts"] = "1",
            ["LlamaCloud:MaxRetries"] = "0",
            ["LlamaCloud:CircuitBreaker:Enabled"] = "false",
        });
        var directoryId = await RemoteOnlyDirectory.CreateAsync(h, files: 2, Ct);
        // A run batches the directory; its submit step's last run cannot check whether an earlier one's create took effect.
        await h.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);
        var batchId = h.Scheduler.BatchIds("submit").Single();
        await CrashedSubmit.GivenUpUncheckedAsync(h, batchId, Ct);
        await h.Admin.SetFaultsAsync(new { error_rate = 0.0 });
        var commands = h.Get<OperatorCommands>();

        await h.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);
        var refused = (await h.Database.ListAsync("select state, error from orchestrator.run order by id desc limit 1", r => (r.GetString(0), r.GetString(1)))).Single();
        var plain = await commands.RetryFailedAsync(PipelineHarness.SourceName, Ct);
        var attention = await new Persistence.Monitoring.AttentionQueries(h.Database.DataSource).NeedsAPersonAsync(
            [(PipelineHarness.SourceName, "parse_v2 cfg-PARSE_AGENTIC", 3)], TimeSpan.FromDays(1), Ct);

        // The run plans nothing and says what to do; a plain retry neither counts the directory as sent back nor queues a run.
        Assert.Equal("Failed", refused.Item1);
        Assert.Contains($"batch {batchId} of '{PipelineHarness.SourceName}' may have been created at LlamaCloud", refused.Item2, StringComparison.Ordinal);
        Assert.EndsWith($"retry {PipelineHarness.SourceName} --failed --unconfirmed {batchId}", refused.Item2, StringComparison.Ordinal);
        Assert.Equal(new RetryOutcome(0, 0), plain);
        Assert.Single(h.Scheduler.BatchIds("submit"));
        Assert.DoesNotContain(h.Scheduler.Calls, c => c.Step == "run");
        Assert.Equal(1L, (await h.Admin.CountersAsync()).BatchCreatesTotal);
        var row = Assert.Single(attention.Rows, r => (string)attention.Value(r, "Kind")! == "unconfirmed-batch");
        Assert.Equal((batchId, 2L), (attention.Value(row, "Batch"), attention.Value(row, "Count")));
        Assert.Contains(directoryId, (string)attention.Value(row, "Detail")!, StringComparison.Ordinal);

        // Looked for, it is let go: the directory counts as sent back, a run is queued, and that run batches it again.
        var named = await commands.RetryFailedAsync(PipelineHarness.SourceName, ForcedRetry.Unconfirmed(batchId), Ct);
        await h.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);

        Assert.Equal(new RetryOutcome(0, 2, LookedFor: true), named);
        Assert.Single(h.Scheduler.Calls, c => c.Step == "run");
        Assert.Equal(2, h.Scheduler.BatchIds("submit").Distinct().Count());
    }
}
