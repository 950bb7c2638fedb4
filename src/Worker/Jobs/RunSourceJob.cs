using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Runs;
using Hangfire;

namespace BatchOrchestrator.Worker.Jobs;

/// <summary>
/// Runs one source: scan and plan its batches. Type and method names are stored with every queued
/// job, so renaming them strands jobs already in the queue.
/// </summary>
internal sealed class RunSourceJob(SourceRunner runner)
{
    [JobDisplayName("Run source {0} ({1})")]
    [AutomaticRetry(Attempts = 3, ExceptOn = [typeof(LlamaCloudRejectedException)])]
    public Task RunAsync(string source, RunTrigger trigger, CancellationToken cancellationToken) =>
        runner.RunAsync(source, trigger, cancellationToken);
}
