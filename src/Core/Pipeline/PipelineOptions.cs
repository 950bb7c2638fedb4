namespace BatchOrchestrator.Core.Pipeline;

/// <summary>Limits of the pipeline as a whole ("Pipeline" section).</summary>
public sealed class PipelineOptions
{
    /// <summary>Files per batch (and per remote directory). LlamaCloud refuses more than 1,000 (docs/llamacloud-api.md §1.4).</summary>
    public int MaxFilesPerBatch { get; set; } = 1_000;

    /// <summary>Parallel uploads per batch.</summary>
    public int UploadConcurrency { get; set; } = 4;
}
