using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Worker.Jobs;
using Hangfire;

namespace BatchOrchestrator.Worker.Scheduling;

/// <summary>Hands each next step to Hangfire as its own job, with ids as the only arguments.</summary>
internal sealed class HangfirePipelineScheduler(IBackgroundJobClient jobs) : IPipelineScheduler
{
    public void EnqueueRun(string source, RunTrigger trigger) =>
        jobs.Enqueue<RunSourceJob>(j => j.RunAsync(source, trigger, CancellationToken.None));

    public void ScheduleRun(string source, RunTrigger trigger, TimeSpan delay) =>
        jobs.Schedule<RunSourceJob>(j => j.RunAsync(source, trigger, CancellationToken.None), delay);

    public void EnqueueUpload(long batchId) => jobs.Enqueue<UploadBatchJob>(j => j.RunAsync(batchId, CancellationToken.None));

    public void EnqueueSubmit(long batchId) => jobs.Enqueue<SubmitBatchJob>(j => j.RunAsync(batchId, CancellationToken.None));

    public void EnqueueRecord(long batchId) => jobs.Enqueue<RecordBatchResultsJob>(j => j.RunAsync(batchId, CancellationToken.None));

    public void EnqueueFollowUp(long batchId) => jobs.Enqueue<FollowUpBatchJob>(j => j.RunAsync(batchId, CancellationToken.None));

    public void EnqueuePoll() => jobs.Enqueue<PollBatchesJob>(j => j.RunAsync(CancellationToken.None));
}
