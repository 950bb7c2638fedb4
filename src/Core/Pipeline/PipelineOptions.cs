namespace BatchOrchestrator.Core.Pipeline;

/// <summary>Limits of the pipeline as a whole ("Pipeline" section).</summary>
public sealed class PipelineOptions
{
    /// <summary>Files per batch (and per remote directory). LlamaCloud refuses more than 1,000 (docs/llamacloud-api.md §1.4).</summary>
    public int MaxFilesPerBatch { get; set; } = 1_000;

    /// <summary>Parallel uploads per batch.</summary>
    public int UploadConcurrency { get; set; } = 4;

    /// <summary>
    /// Attempts the upload or submit step of one batch gets (each run of the step counts, a crash's too; a
    /// pause or a long rate-limit wait does not). After them the batch ends with the last error and its files
    /// go back to the queue, as the source's MaxAttempts allows (docs/resilience.md). Hangfire retries a failed
    /// step 8 times and the stalled-step sweep hands it out again after that, so 10 means about two sweeps.
    /// </summary>
    public int MaxStepAttempts { get; set; } = 10;
}
