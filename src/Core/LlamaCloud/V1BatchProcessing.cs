using System.Text.Json;

namespace BatchOrchestrator.Core.LlamaCloud;

// Shapes of the legacy /api/v1/beta/batch-processing (docs/llamacloud-api.md §3; GO-v1 betabatch.go). Withheld
// from the SDKs since 2026-08-03, so these follow the last SDK that had them.

/// <summary>A v1 batch job. Statuses are lower case: pending, running, dispatched, completed, failed, cancelled.</summary>
internal sealed record V1BatchJob(
    string Id,
    string JobType,
    string Status,
    int TotalItems,
    int? ProcessedItems = null,
    int? FailedItems = null,
    int? SkippedItems = null,
    string? DirectoryId = null,
    string? ErrorMessage = null,
    DateTimeOffset? CreatedAt = null,
    DateTimeOffset? CompletedAt = null);

/// <summary><c>GET …/{job_id}</c>: the job and its progress from 0 to 100.</summary>
internal sealed record V1BatchJobStatus(V1BatchJob Job, double? ProgressPercentage = null);

/// <summary>The offset page of the v1 lists (<c>PaginatedBatchItems</c>, §1.3).</summary>
internal sealed record V1Page<T>(IReadOnlyList<T> Items, int TotalSize);

/// <summary>One file of a v1 job: pending, processing, completed, failed, skipped (with a reason) or cancelled.</summary>
internal sealed record V1Item(
    string ItemId,
    string Status,
    string? ItemName = null,
    string? JobId = null,
    string? SkipReason = null,
    string? ErrorMessage = null,
    DateTimeOffset? CompletedAt = null);

/// <summary>Body of <c>POST /api/v1/beta/batch-processing</c>: either <see cref="DirectoryId"/> or <see cref="ItemIds"/>.</summary>
internal sealed record V1CreateRequest(V1JobConfig JobConfig, string? DirectoryId = null, IReadOnlyList<string>? ItemIds = null);

/// <summary>
/// <c>job_config</c>, a union: the parse variant carries <c>job_name</c> and <c>parameters</c>, the
/// classify variant <c>rules</c> and <c>mode</c>.
/// </summary>
internal sealed record V1JobConfig(
    string? JobName = null,
    V1ParseParameters? Parameters = null,
    IReadOnlyList<V1ClassifyRule>? Rules = null,
    string? Mode = null,
    string? Status = null);

/// <summary>The parse variant's <c>parameters</c> (legacy LlamaParse options; only the type is sent).</summary>
internal sealed record V1ParseParameters(string Type);

/// <summary>A classify rule: the label and what it means.</summary>
internal sealed record V1ClassifyRule(string Type, string Description);

/// <summary>Body of <c>POST …/{job_id}/cancel</c>.</summary>
internal sealed record V1CancelRequest(string? Reason = null);

/// <summary>The answer to a cancel.</summary>
internal sealed record V1CancelResponse(string JobId, string Status, string? Message = null, int? ProcessedItems = null);

/// <summary><c>GET …/items/{item_id}/processing-results</c>: every completed processing of the item.</summary>
internal sealed record V1ProcessingResults(string ItemId, IReadOnlyList<V1ProcessingResult> ProcessingResults, string? ItemName = null);

/// <summary>One processing; <see cref="OutputMetadata"/> holds a classification's label.</summary>
internal sealed record V1ProcessingResult(
    string ResultId,
    string ItemId,
    string JobType,
    string? OutputS3Path = null,
    string? ParametersHash = null,
    DateTimeOffset? ProcessedAt = null,
    JsonElement? OutputMetadata = null);
