using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.LlamaCloud;
using Hangfire;

namespace BatchOrchestrator.Worker.Jobs;

/// <summary>Records a finished batch's per-file results.</summary>
internal sealed class RecordBatchResultsJob(BatchResultRecorder recorder)
{
    [JobDisplayName("Record results of batch {0}")]
    [AutomaticRetry(Attempts = 8, ExceptOn = [typeof(LlamaCloudRejectedException)])]
    public Task RunAsync(long batchId, CancellationToken cancellationToken) => recorder.RecordAsync(batchId, cancellationToken);
}
