using System.Text.Json;

namespace BatchOrchestrator.Core.LlamaCloud;

// GET /api/v2/parse/{id}?expand=… (LLAMACLOUD.md §6.2; SDK src/resources/parsing.ts).

/// <summary>
/// A parse job with whichever expansions were asked for. <see cref="JobMetadata"/> is untyped in the SDK
/// (docs/llamacloud-api.md §6.2, §11.13); we read its page count from <c>job_pages</c> (docs/costs.md).
/// </summary>
internal sealed record ParseJobResult(ProductJob Job, string? TextFull = null, string? MarkdownFull = null, JsonElement? Items = null, JsonElement? JobMetadata = null);

/// <summary>The flat job object of parse and extract jobs; <see cref="Tier"/> and <see cref="Usage"/> are the parse job's (usage only with expand=usage).</summary>
internal sealed record ProductJob(
    string Id, string Status, string? ErrorMessage = null, DateTimeOffset? CreatedAt = null, DateTimeOffset? UpdatedAt = null, string? Tier = null, JobUsage? Usage = null);

/// <summary>
/// Credits billed against a job, "null until billing has recorded it" (SDK 2.16.0 <c>resources/parsing.d.ts</c>
/// <c>Usage</c>; extract adds its parts, <c>resources/extract.d.ts</c>; docs/llamacloud-api.md §1.7).
/// </summary>
internal sealed record JobUsage(decimal? Credits = null, decimal? ExtractCredits = null, decimal? ParseCredits = null);
