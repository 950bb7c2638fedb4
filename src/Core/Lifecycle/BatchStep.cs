namespace BatchOrchestrator.Core.Lifecycle;

/// <summary>A step of ours a batch may be waiting for (as opposed to waiting for LlamaCloud).</summary>
internal enum BatchStep
{
    /// <summary>Upload its files, then hand it to submission.</summary>
    Upload,

    /// <summary>Create (or adopt) its remote batch.</summary>
    Submit,

    /// <summary>Record its per-file results.</summary>
    Record,
}
