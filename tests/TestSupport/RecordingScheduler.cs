using System.Collections.Concurrent;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Runs;

namespace BatchOrchestrator.TestSupport;

/// <summary>Records the hand-offs a use case makes, so a test can drive the next step itself.</summary>
public sealed class RecordingScheduler : IPipelineScheduler
{
    /// <summary>Raised on the caller's thread after each hand-off is recorded, so that a driver can run the step it names as a job would.</summary>
    public event Action<string, string>? Recorded;

    public ConcurrentQueue<(string Step, string Argument)> Calls { get; } = new();

    /// <summary>The delays of the scheduled (not enqueued) hand-offs, in order, with their step and argument.</summary>
    public ConcurrentQueue<(string Step, string Argument, TimeSpan Delay)> Delays { get; } = new();

    public IEnumerable<long> BatchIds(string step) => Calls.Where(c => c.Step == step).Select(c => long.Parse(c.Argument, System.Globalization.CultureInfo.InvariantCulture));

    void IPipelineScheduler.EnqueueRun(string source, RunTrigger trigger) => Record(("run", $"{source}:{trigger}"));

    void IPipelineScheduler.ScheduleRun(string source, RunTrigger trigger, TimeSpan delay) => Scheduled("scheduled-run", $"{source}:{trigger}", delay);

    void IPipelineScheduler.ScheduleUpload(string source, long batchId, TimeSpan delay) => Scheduled("scheduled-upload", Id(batchId), delay);

    void IPipelineScheduler.ScheduleSubmit(long batchId, TimeSpan delay) => Scheduled("scheduled-submit", Id(batchId), delay);

    void IPipelineScheduler.EnqueueUpload(string source, long batchId) => Record(("upload", Id(batchId)));

    void IPipelineScheduler.EnqueueSubmit(long batchId) => Record(("submit", Id(batchId)));

    void IPipelineScheduler.EnqueueRecord(long batchId) => Record(("record", Id(batchId)));

    void IPipelineScheduler.ScheduleRecord(long batchId, TimeSpan delay) => Scheduled("scheduled-record", Id(batchId), delay);

    void IPipelineScheduler.EnqueueFollowUp(string source, long batchId) => Record(("follow-up", Id(batchId)));

    void IPipelineScheduler.EnqueuePoll() => Record(("poll", ""));

    private void Record((string Step, string Argument) call)
    {
        Calls.Enqueue(call);
        Recorded?.Invoke(call.Step, call.Argument);
    }

    private void Scheduled(string step, string argument, TimeSpan delay)
    {
        Delays.Enqueue((step, argument, delay));
        Record((step, argument));
    }

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
