using Microsoft.Extensions.DependencyInjection;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A v1 source's <c>V1Scope</c> changed (and the service started again) after a batch of it was created, its create
/// unanswered: the look for that job searches the way it was made (over its directory, or over its files by id), or it
/// would miss it and create, and bill, a second.
/// </summary>
public sealed class V1ScopeChangedFacts(PostgresServerFixture server)
{
    [Theory]
    [InlineData("Items", "Directory")]
    [InlineData("Directory", "Items")]
    public async Task SubmitAsync_AdoptsTheJobAnEarlierAttemptCreated_WhenTheSourcesScopeChangedSince(string planned, string now)
    {
        await using var harness = await PipelineHarness.CreateAsync(server, V1BatchFacts.Classify(planned));
        var (batchId, _, _, created) = await CrashedSubmit.PrepareAsync(harness, Ct);

        await using var changed = Restarted(harness, now);
        await changed.GetRequiredService<BatchSubmitter>().SubmitAsync(batchId, Ct);

        Assert.Equal(created.Id, (await harness.Get<IBatchStore>().GetAsync(batchId, Ct))!.RemoteBatchId);
        Assert.Equal(1, await harness.Admin.CounterAsync("v1_batch_creates_total"));
    }

    private static ServiceProvider Restarted(PipelineHarness harness, string scope) =>
        harness.Restarted(new Dictionary<string, string?> { ["Sources:0:V1Scope"] = scope }, new RecordingScheduler(), new CapturingLoggerProvider());
}
