namespace BatchOrchestrator.Core.Pipeline;

/// <summary>Limits of the pipeline as a whole ("Pipeline" section).</summary>
public sealed class PipelineOptions
{
    /// <summary>Files per batch (and per remote directory). LlamaCloud refuses more than 1,000 (docs/llamacloud-api.md §1.4).</summary>
    public int MaxFilesPerBatch { get; set; } = 1_000;

    /// <summary>Parallel uploads per batch.</summary>
    public int UploadConcurrency { get; set; } = 4;

    /// <summary>
    /// Batches of one source uploading at once in a process (1 to 64). One at a time finishes each batch as
    /// soon as the pace allows, so it is submitted and processed while the next uploads, and a backfill's
    /// waiting batches hold no Hangfire worker (docs/performance.md).
    /// </summary>
    public int BatchesUploadingPerSource { get; set; } = 1;
}
