using BatchOrchestrator.Core.Pipeline;

namespace BatchOrchestrator.Core.IntegrationTests.Runs;

/// <summary>Hangfire's storage refusing the enqueue (a dropped connection).</summary>
internal sealed class RefusingScheduler : IPipelineScheduler
{
    public void EnqueueRun(string source, RunTrigger trigger) => throw new InvalidOperationException("storage unavailable");

    public void ScheduleRun(string source, RunTrigger trigger, TimeSpan delay) => throw new InvalidOperationException("storage unavailable");

    public void EnqueueUpload(string source, long batchId) => throw new InvalidOperationException("storage unavailable");

    public void ScheduleUpload(string source, long batchId, TimeSpan delay) => throw new InvalidOperationException("storage unavailable");

    public void EnqueueSubmit(long batchId) => throw new InvalidOperationException("storage unavailable");

    public void ScheduleSubmit(long batchId, TimeSpan delay) => throw new InvalidOperationException("storage unavailable");

    public void EnqueueRecord(long batchId) => throw new InvalidOperationException("storage unavailable");

    public void ScheduleRecord(long batchId, TimeSpan delay) => throw new InvalidOperationException("storage unavailable");

    public void EnqueueFollowUp(string source, long batchId) => throw new InvalidOperationException("storage unavailable");

    public void EnqueuePoll() => throw new InvalidOperationException("storage unavailable");
}
