namespace BatchOrchestrator.Core.Batches;

/// <summary>The product job a v2 batch runs for each file (LLAMACLOUD.md §2.1).</summary>
internal enum BatchJobType
{
    ParseV2,
    ExtractV2,
}
