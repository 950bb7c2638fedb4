using BatchOrchestrator.Core.Runs;

namespace BatchOrchestrator.Core.Pipeline;

/// <summary>
/// How a use case hands over to the next step without calling it: each step records its outcome,
/// then asks for the next one to run as its own retryable job (docs/architecture.md "Data flows one way").
/// Arguments are ids only, since the job store keeps and shows them in plain text.
/// </summary>
internal interface IPipelineScheduler
{
    void EnqueueRun(string source, RunTrigger trigger);

    void ScheduleRun(string source, RunTrigger trigger, TimeSpan delay);

    /// <summary>Upload a planned batch's files: on the source's queue, since it reads the source's folder.</summary>
    void EnqueueUpload(string source, long batchId);

    /// <summary>The upload step again after <paramref name="delay"/> (its batch's lease was held).</summary>
    void ScheduleUpload(string source, long batchId, TimeSpan delay);

    void EnqueueSubmit(long batchId);

    /// <summary>The submit step again after <paramref name="delay"/> (its batch's lease was held).</summary>
    void ScheduleSubmit(long batchId, TimeSpan delay);

    void EnqueueRecord(long batchId);

    /// <summary>Fetch the results of a batch's recorded job references.</summary>
    void EnqueueFollowUp(string source, long batchId);

    /// <summary>A poll tick now (a webhook made a batch due), besides the recurring ones.</summary>
    void EnqueuePoll();
}
