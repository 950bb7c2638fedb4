using System.Collections.Concurrent;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Runs;

namespace BatchOrchestrator.TestSupport;

/// <summary>Records the hand-offs a use case makes, so a test can drive the next step itself.</summary>
public sealed class RecordingScheduler : IPipelineScheduler
{
    public ConcurrentQueue<(string Step, string Argument)> Calls { get; } = new();

    public IEnumerable<long> BatchIds(string step) => Calls.Where(c => c.Step == step).Select(c => long.Parse(c.Argument, System.Globalization.CultureInfo.InvariantCulture));

    void IPipelineScheduler.EnqueueRun(string source, RunTrigger trigger) => Calls.Enqueue(("run", $"{source}:{trigger}"));

    void IPipelineScheduler.ScheduleRun(string source, RunTrigger trigger, TimeSpan delay) => Calls.Enqueue(("scheduled-run", $"{source}:{trigger}"));

    void IPipelineScheduler.ScheduleUpload(string source, long batchId, TimeSpan delay) => Calls.Enqueue(("scheduled-upload", Id(batchId)));

    void IPipelineScheduler.ScheduleSubmit(long batchId, TimeSpan delay) => Calls.Enqueue(("scheduled-submit", Id(batchId)));

    void IPipelineScheduler.EnqueueUpload(string source, long batchId) => Calls.Enqueue(("upload", Id(batchId)));

    void IPipelineScheduler.EnqueueSubmit(long batchId) => Calls.Enqueue(("submit", Id(batchId)));

    void IPipelineScheduler.EnqueueRecord(long batchId) => Calls.Enqueue(("record", Id(batchId)));

    void IPipelineScheduler.EnqueueFollowUp(string source, long batchId) => Calls.Enqueue(("follow-up", Id(batchId)));

    void IPipelineScheduler.EnqueuePoll() => Calls.Enqueue(("poll", ""));

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
