using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Persistence.Watchdog;
using BatchOrchestrator.Persistence.Webhooks;

namespace BatchOrchestrator.Persistence.IntegrationTests.Batches;

/// <summary>What a recorded batch leaves for the watches that read it: the stuck watch and the webhook liveness sweep.</summary>
public sealed partial class BatchStoreFacts
{
    [Fact]
    public async Task RecordResultsAsync_WithFollowUpOff_LeavesNoJobWaitingForIt_SoNoneIsCalledStuck()
    {
        var batchId = await SubmittedBatchAsync(files: 2, BatchState.Completed);
        var ids = await RemoteFileIdsAsync(batchId);

        await Store.RecordResultsAsync(batchId, BatchState.Completed, V2([.. ids.Select((id, i) => new RemoteBatchResult(id, new RemoteJobReference("parse_v2", $"pjb-{i}"), null))]), Policy, Ct);
        await Database.ExecuteAsync("update orchestrator.batch_result set recorded_at = now() - interval '1 day'");
        var report = await new NpgsqlWatchdogStore(Database.DataSource).FlagStuckAsync(TimeSpan.FromHours(1), TimeSpan.FromHours(2), 10, "interrupted", Ct);

        Assert.Equal(2L, await Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where job_id is not null and follow_up_state is null and outcome = 'Succeeded'"));
        Assert.Empty(report.Jobs);
    }

    [Fact]
    public async Task RecordLostAsync_ExpectsNoWebhookForTheLostBatch_SoItsSilenceIsNotCalledAMissedDelivery()
    {
        var lost = await SubmittedBatchAsync(files: 1, BatchState.Running);
        var ended = await SubmittedBatchAsync(files: 1, BatchState.Running);
        await Database.ExecuteAsync("update orchestrator.batch set webhook_expected = true");

        await Store.RecordLostAsync(lost, new LostBatch("LlamaCloud no longer knows the batch (404)", "its batch was lost", BatchState.Failed), Policy, Ct);
        await Store.RecordResultsAsync(ended, BatchState.Completed, [], Policy, Ct);
        await Database.ExecuteAsync("update orchestrator.batch set finished_at = now() - interval '1 hour'");
        var flagged = await new NpgsqlWebhookLivenessStore(Database.DataSource).FlagMissedAsync(TimeSpan.FromMinutes(10), 10, Ct);

        Assert.Equal([ended], flagged.Select(m => m.BatchId));
    }
}
