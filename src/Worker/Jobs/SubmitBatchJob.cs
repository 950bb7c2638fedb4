using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.LlamaCloud;
using Hangfire;

namespace BatchOrchestrator.Worker.Jobs;

/// <summary>
/// Creates (or adopts) the remote batch over one batch's directory. The usual failure is an
/// ambiguous create (the connection dropped after the server acted); the retry settles it by
/// looking first, which is cheap, so the first retries come within seconds rather than
/// Hangfire's default quarter of a minute and more.
/// </summary>
internal sealed class SubmitBatchJob(BatchSubmitter submitter)
{
    [JobDisplayName("Submit batch {0}")]
    [AutomaticRetry(Attempts = 8, DelaysInSeconds = [2, 10, 30, 60, 300, 900, 1800, 3600], ExceptOn = [typeof(LlamaCloudRejectedException)])]
    public Task RunAsync(long batchId, CancellationToken cancellationToken) => submitter.SubmitAsync(batchId, cancellationToken);
}
