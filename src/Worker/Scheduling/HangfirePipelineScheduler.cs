using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Worker.Jobs;
using Hangfire;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Scheduling;

/// <summary>
/// Hands each next step to Hangfire as its own job, with ids as the only arguments. Steps that read a
/// source's folder or write beside it (run, upload, follow-up) go to the source's queue, so a folder
/// only some nodes can see is only touched by them; the rest go to the default queue. A batch's next step that
/// cannot be handed out because the database is unreachable is kept and handed out once it answers
/// (<see cref="DeferredHandOffs"/>); a run's trigger is not: its callers (the watcher, a run's retry) try again themselves.
/// </summary>
internal sealed class HangfirePipelineScheduler(IBackgroundJobClient jobs, IOptionsMonitor<SourcesOptions> sources, DeferredHandOffs deferred) : IPipelineScheduler
{
    public void EnqueueRun(string source, RunTrigger trigger) =>
        jobs.Enqueue<RunSourceJob>(QueueOf(source), j => j.RunAsync(source, trigger, CancellationToken.None));

    public void ScheduleRun(string source, RunTrigger trigger, TimeSpan delay) =>
        jobs.Schedule<RunSourceJob>(QueueOf(source), j => j.RunAsync(source, trigger, CancellationToken.None), delay);

    public void EnqueueUpload(string source, long batchId) =>
        HandOn($"batch {batchId} to its upload step", () => jobs.Enqueue<UploadBatchJob>(QueueOf(source), j => j.RunAsync(batchId, CancellationToken.None)));

    public void ScheduleUpload(string source, long batchId, TimeSpan delay) =>
        HandOn($"batch {batchId} to its upload step", () => jobs.Schedule<UploadBatchJob>(QueueOf(source), j => j.RunAsync(batchId, CancellationToken.None), delay));

    public void EnqueueSubmit(long batchId) =>
        HandOn($"batch {batchId} to its submit step", () => jobs.Enqueue<SubmitBatchJob>(j => j.RunAsync(batchId, CancellationToken.None)));

    public void ScheduleSubmit(long batchId, TimeSpan delay) =>
        HandOn($"batch {batchId} to its submit step", () => jobs.Schedule<SubmitBatchJob>(j => j.RunAsync(batchId, CancellationToken.None), delay));

    public void EnqueueRecord(long batchId) =>
        HandOn($"batch {batchId} to its record step", () => jobs.Enqueue<RecordBatchResultsJob>(j => j.RunAsync(batchId, CancellationToken.None)));

    public void ScheduleRecord(long batchId, TimeSpan delay) =>
        HandOn($"batch {batchId} to its record step", () => jobs.Schedule<RecordBatchResultsJob>(j => j.RunAsync(batchId, CancellationToken.None), delay));

    public void EnqueueFollowUp(string source, long batchId) =>
        HandOn($"batch {batchId} to its follow-up", () => jobs.Enqueue<FollowUpBatchJob>(QueueOf(source), j => j.RunAsync(batchId, CancellationToken.None)));

    public void EnqueuePoll() => jobs.Enqueue<PollBatchesJob>(j => j.RunAsync(CancellationToken.None));

    private void HandOn(string what, Func<string> create)
    {
        if (deferred.TryQueueBehind(what, () => create()))
        {
            return; // the database did not answer the ones before it: in order, once it does
        }

        try
        {
            create();
        }
        catch (Exception ex) when (deferred.TryDefer(what, () => create(), ex))
        {
            // kept: made once the database answers
        }
    }

    // A source no longer configured still finishes its batches somewhere: the default queue.
    private string QueueOf(string source) => sources.CurrentValue.Find(source)?.Queue ?? SourceOptions.DefaultQueue;
}
