using System.Globalization;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A mirror batch whose submit step gave up without learning whether LlamaCloud created it: every batch over the mirror's
/// directory parses every copy in it, so a new one, while that batch may still run, would pay for its files twice.
/// </summary>
public sealed class MirrorUnconfirmedFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task AMirrorWhoseBatchMayExistAtLlamaCloud_PlansNoBatchOverItsDirectory_UntilAnOperatorRetriesThatBatch()
    {
        await using var h = await MirrorHarnessAsync();
        var unconfirmed = await CrashedSubmit.GivenUpUncheckedAsync(h, Ct);
        await h.Admin.SetFaultsAsync(new { error_rate = 0.0 });
        h.WriteFile("added.txt", "new file");

        var refused = await h.PlanAsync(Ct);
        var run = (await h.Database.ListAsync("select state, error from orchestrator.run order by id desc limit 1", r => (r.GetString(0), r.GetString(1)))).Single();
        var retried = await h.Get<OperatorCommands>().RetryFailedAsync(PipelineHarness.SourceName, ForcedRetry.Unconfirmed(unconfirmed), Ct);
        var planned = await h.PlanAsync(Ct);

        Assert.Empty(refused);
        Assert.Equal("Failed", run.Item1);
        Assert.EndsWith(
            string.Create(CultureInfo.InvariantCulture, $"look for that batch there, then retry docs --failed --unconfirmed {unconfirmed}"), run.Item2, StringComparison.Ordinal);
        Assert.Equal(2, retried.Requeued);
        Assert.Equal(3L, await h.Database.ScalarAsync<long>("select file_count from orchestrator.batch where id = $1", Assert.Single(planned)));
    }

    [Fact]
    public async Task AMirrorWhoseUnconfirmedFilesAreAllGoneFromTheFolder_IsNotHeldForEver()
    {
        // No retry can send them (it takes files in the folder now), and the next batch removes their copies: it parses none
        // of what the unconfirmed batch may still bill.
        await using var h = await MirrorHarnessAsync();
        await CrashedSubmit.GivenUpUncheckedAsync(h, Ct);
        await h.Admin.SetFaultsAsync(new { error_rate = 0.0 });
        foreach (var path in Directory.GetFiles(h.SourcePath))
        {
            File.Delete(path);
        }

        h.WriteFile("added.txt", "new file");

        var planned = Assert.Single(await h.PlanAsync(Ct));

        Assert.Equal(1L, await h.Database.ScalarAsync<long>("select file_count from orchestrator.batch where id = $1", planned));
    }

    // One step attempt and no in-process retry or breaker: the submit step's one failing run gives its batch up.
    private Task<PipelineHarness> MirrorHarnessAsync() => PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
    {
        ["Sources:0:Layout"] = RemoteLayout.Mirror.ToString(),
        ["Pipeline:MaxStepAttempts"] = "1",
        ["LlamaCloud:MaxRetries"] = "0",
        ["LlamaCloud:CircuitBreaker:Enabled"] = "false",
    });
}
