namespace BatchOrchestrator.Core.Pipeline;

/// <summary>Limits of the pipeline as a whole ("Pipeline" section).</summary>
public sealed class PipelineOptions
{
    /// <summary>Files per batch (and per remote directory). LlamaCloud refuses more than 1,000 (docs/llamacloud-api.md §1.4).</summary>
    public int MaxFilesPerBatch { get; set; } = 1_000;

    /// <summary>
    /// Parallel uploads per batch; a source uploads at most this many × <see cref="BatchesUploadingPerSource"/> files at
    /// once in a process, all within the project's rate limit.
    /// </summary>
    public int UploadConcurrency { get; set; } = 4;

    /// <summary>
    /// Batches of one source uploading at once in a process (1 to 64). One at a time finishes each batch as
    /// soon as the pace allows, so it is submitted and processed while the next uploads, and a backfill's
    /// waiting batches hold no Hangfire worker (docs/performance.md).
    /// </summary>
    public int BatchesUploadingPerSource { get; set; } = 1;

    /// <summary>
    /// Attempts the upload or submit step of one batch gets (each run of the step counts, a crash's too; a
    /// pause or a long rate-limit wait does not). After them the batch ends with the last error and its files
    /// go back to the queue, as the source's MaxAttempts allows (docs/resilience.md). Hangfire retries a failed
    /// step 8 times and the stalled-step sweep hands it out again after that, so 10 means about two sweeps.
    /// </summary>
    public int MaxStepAttempts { get; set; } = 10;

    /// <summary>
    /// How long after a batch sends files back to the queue (failed as a whole, lost, given up, or a file failed
    /// in a way a later batch may cure) a run of its source is started to take them; 0: only the schedule's next
    /// run takes them. Not at once: each such run uses up an attempt (MaxAttempts) of the files it takes, so a short
    /// outage should pass first (docs/pipeline.md, "Retry").
    /// </summary>
    public TimeSpan RetryRunAfter { get; set; } = TimeSpan.FromMinutes(15);
}
