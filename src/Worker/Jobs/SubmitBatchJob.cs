using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.LlamaCloud;
using Hangfire;

namespace BatchOrchestrator.Worker.Jobs;

/// <summary>Creates (or adopts) the remote batch over one batch's directory.</summary>
internal sealed class SubmitBatchJob(BatchSubmitter submitter)
{
    [JobDisplayName("Submit batch {0}")]
    [AutomaticRetry(Attempts = 8, ExceptOn = [typeof(LlamaCloudRejectedException)])]
    public Task RunAsync(long batchId, CancellationToken cancellationToken) => submitter.SubmitAsync(batchId, cancellationToken);
}
