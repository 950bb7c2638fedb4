using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Ticks;
using BatchOrchestrator.Core.Uploads;

namespace BatchOrchestrator.TestSupport;

/// <summary>Drives a harness's pipeline step by step, as the jobs would, up to a chosen point.</summary>
public static class PipelineDriver
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Runs a source by hand; returns the batches that run planned (their uploads are owed), lowest first.</summary>
    public static async Task<IReadOnlyList<long>> PlanAsync(
        this PipelineHarness harness, CancellationToken cancellationToken, string source = PipelineHarness.SourceName)
    {
        // Read from the database: only a run's first batch is handed an upload job, the rest wait for the slot.
        var before = await harness.Database.ScalarAsync<long>("select coalesce(max(id), 0) from orchestrator.batch");
        await harness.Get<SourceRunner>().RunAsync(source, RunTrigger.Manual, cancellationToken);
        return await harness.Database.ListAsync(
            "select id from orchestrator.batch where id > $1 and source_name = $2 and state = 'Planned' order by id", r => r.GetInt64(0), before, source);
    }

    /// <summary>Runs a source by hand that is to plan exactly one batch; returns it.</summary>
    public static async Task<long> PlanOneBatchAsync(
        this PipelineHarness harness, CancellationToken cancellationToken, string source = PipelineHarness.SourceName) =>
        (await harness.PlanAsync(cancellationToken, source)).Single();

    /// <summary>Runs the source and uploads and submits each new batch; returns the batch ids.</summary>
    public static async Task<IReadOnlyList<long>> SubmitAllAsync(this PipelineHarness harness, CancellationToken cancellationToken)
    {
        var batches = await harness.PlanAsync(cancellationToken);
        foreach (var batchId in batches)
        {
            await harness.Get<BatchUploader>().UploadAsync(batchId, cancellationToken);
            await harness.Get<BatchSubmitter>().SubmitAsync(batchId, cancellationToken);
        }

        return batches;
    }

    /// <summary>Polls until every batch is terminal, its record handed out.</summary>
    public static Task PollUntilFinishedAsync(this PipelineHarness harness, IReadOnlyList<long> batches, CancellationToken cancellationToken) =>
        Eventually.WaitAsync(
            async () =>
            {
                await harness.Get<PollTick>().RunAsync(cancellationToken);
                var recordable = harness.Scheduler.BatchIds("record").ToHashSet();
                return batches.Count(recordable.Contains);
            },
            n => n == batches.Count,
            Patience,
            "every batch to reach a terminal status");

    /// <summary>Polls until every batch is terminal, then records each.</summary>
    public static async Task RecordAllAsync(this PipelineHarness harness, IReadOnlyList<long> batches, CancellationToken cancellationToken)
    {
        await harness.PollUntilFinishedAsync(batches, cancellationToken);
        foreach (var batchId in batches)
        {
            await harness.Get<BatchResultRecorder>().RecordAsync(batchId, cancellationToken);
        }
    }

    /// <summary>Runs, submits, polls and records: every new file ends with its outcome recorded.</summary>
    public static async Task<IReadOnlyList<long>> RunToRecordedAsync(this PipelineHarness harness, CancellationToken cancellationToken)
    {
        var batches = await harness.SubmitAllAsync(cancellationToken);
        await harness.RecordAllAsync(batches, cancellationToken);
        return batches;
    }

    /// <summary>Runs the source, which must plan one batch, and takes that batch through to its results followed up; returns its id.</summary>
    public static async Task<long> RunOneBatchToFollowedUpAsync(this PipelineHarness harness, CancellationToken cancellationToken)
    {
        var batchId = await harness.PlanOneBatchAsync(cancellationToken);
        await harness.Get<BatchUploader>().UploadAsync(batchId, cancellationToken);
        await harness.Get<BatchSubmitter>().SubmitAsync(batchId, cancellationToken);
        await harness.RecordAllAsync([batchId], cancellationToken);
        await harness.FollowUpAllAsync([batchId], cancellationToken);
        return batchId;
    }

    /// <summary>Has the Sandbox forget a submitted batch, as an expired or deleted batch is forgotten, and polls it: it ends Failed (lost), its record owed.</summary>
    public static async Task LoseAsync(this PipelineHarness harness, long batchId, CancellationToken cancellationToken)
    {
        await harness.Admin.ForgetBatchAsync(await harness.Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch where id = $1", batchId));
        await harness.Database.ExecuteAsync("update orchestrator.batch set next_poll_at = now() where id = $1", batchId);
        await harness.Get<BatchPoller>().PollDueAsync(cancellationToken);
    }

    /// <summary>Follows the batches up until none of their job references waits any more.</summary>
    public static Task FollowUpAllAsync(this PipelineHarness harness, IReadOnlyList<long> batches, CancellationToken cancellationToken) =>
        Eventually.WaitAsync(
            async () =>
            {
                foreach (var batchId in batches)
                {
                    await harness.Get<FollowUpProcessor>().FollowUpAsync(batchId, cancellationToken);
                }

                return await harness.Database.ScalarAsync<long>(
                    "select count(*) from orchestrator.batch_result where follow_up_state = 'Recorded' and batch_id = any($1)", batches.ToArray());
            },
            n => n == 0,
            Patience,
            "every job reference to be followed up");
}
