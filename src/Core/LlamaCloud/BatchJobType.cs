namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// What a batch runs for each file. The v2 kinds are <c>POST /api/v2/batches</c> (docs/llamacloud-api.md §2);
/// the v1 kinds are the legacy beta batch-processing jobs (§3), tracked in the same tables.
/// </summary>
internal enum BatchJobType
{
    ParseV2,
    ExtractV2,
    V1Parse,
    V1Classify,
}
