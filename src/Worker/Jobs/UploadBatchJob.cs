using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Uploads;
using Hangfire;

namespace BatchOrchestrator.Worker.Jobs;

/// <summary>Uploads one batch's files into its remote directory.</summary>
internal sealed class UploadBatchJob(BatchUploader uploader)
{
    // Transient API and database faults retry; a refused request is recorded on the file, not retried.
    [JobDisplayName("Upload batch {0}")]
    [AutomaticRetry(Attempts = 8, ExceptOn = [typeof(LlamaCloudRejectedException)])]
    public Task RunAsync(long batchId, CancellationToken cancellationToken) => uploader.UploadAsync(batchId, cancellationToken);
}
