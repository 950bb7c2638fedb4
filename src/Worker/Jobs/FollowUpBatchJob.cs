using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.LlamaCloud;
using Hangfire;

namespace BatchOrchestrator.Worker.Jobs;

/// <summary>
/// Fetches the results of one batch's job references into the sinks. Per-reference failures are
/// recorded by the step itself; what escapes is the database or a lost lease, worth a retry. If every
/// retry fails, the poll tick hands the batch out again when its next look falls due.
/// </summary>
internal sealed class FollowUpBatchJob(FollowUpProcessor processor)
{
    [JobDisplayName("Follow up batch {0}")]
    [AutomaticRetry(Attempts = 3, ExceptOn = [typeof(LlamaCloudRejectedException)])]
    public Task RunAsync(long batchId, CancellationToken cancellationToken) => processor.FollowUpAsync(batchId, cancellationToken);
}
