using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace BatchOrchestrator.Sandbox.V1Batches;

/// <summary>The v1 batch job (GO-v1 BetaBatch*Response, docs/llamacloud-api.md §3.1).</summary>
internal sealed record V1JobDto(
    string Id,
    string JobType,
    string ProjectId,
    string Status,
    int TotalItems,
    int ProcessedItems,
    int FailedItems,
    int SkippedItems,
    string? DirectoryId,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? EffectiveAt,
    string? ErrorMessage,
    string? JobRecordId,
    string? WorkflowId);

/// <summary>GET /{job_id}: the job and its progress from 0 to 100.</summary>
internal sealed record V1JobStatusDto(V1JobDto Job, double ProgressPercentage);

/// <summary>The offset page of the v1 lists (PaginatedBatchItems, §1.3).</summary>
internal sealed record V1Page<T>(IReadOnlyList<T> Items, int TotalSize);

/// <summary>One item of a v1 job (§3.2).</summary>
internal sealed record V1ItemDto(
    string ItemId,
    string ItemName,
    string Status,
    string? JobId,
    string? SkipReason,
    string? ErrorMessage,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? EffectiveAt, // "effective_at?: string": absent until the item starts, never null
    string? JobRecordId);

/// <summary>The cancel answer (§3.2).</summary>
internal sealed record V1CancelDto(string JobId, string Message, int ProcessedItems, string Status);

/// <summary>GET /items/{item_id}/processing-results.</summary>
internal sealed record V1ProcessingResultsDto(string ItemId, string ItemName, IReadOnlyList<V1ProcessingResultDto> ProcessingResults);

/// <summary>One processing of an item; parameters_hash is the dedup key (§3.2).</summary>
internal sealed record V1ProcessingResultDto(
    string ResultId,
    string ItemId,
    string JobType,
    JsonElement JobConfig,
    string OutputS3Path,
    string ParametersHash,
    DateTimeOffset? ProcessedAt,
    JsonObject? OutputMetadata);

/// <summary>
/// GET /api/v1/classifier/jobs/{id}/results (TS SDK 2.13.0 <c>resources/classifier/jobs.d.ts</c>,
/// <c>JobGetResultsResponse</c>): where a v1 classify item's label is.
/// </summary>
internal sealed record ClassifierResultsDto(IReadOnlyList<ClassifierResultItemDto> Items, string? NextPageToken);

/// <summary>One classified file: its classifier job, the stored file, and <c>result</c> with the label in <c>type</c>.</summary>
internal sealed record ClassifierResultItemDto(string Id, string ClassifyJobId, string? FileId, JsonObject? Result, DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt);
