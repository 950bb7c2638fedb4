using System.Text.Json;

namespace BatchOrchestrator.Core.LlamaCloud;

// GET /api/v2/parse/{id}?expand=… (docs/llamacloud-api.md §6.2; TS SDK 2.16.0 resources/parsing.d.ts,
// ParsingGetResponse): every field but job is there only when asked for, and may be absent even then.

/// <summary>
/// A parse job with whichever expansions were asked for. <see cref="JobMetadata"/> is untyped in the SDK
/// (docs/llamacloud-api.md §6.2, §11.13); we read its page count from <c>job_pages</c> (docs/costs.md).
/// </summary>
internal sealed record ParseJobResult(
    ProductJob Job,
    string? TextFull = null,
    string? MarkdownFull = null,
    ParsePages? Markdown = null,
    ParsePages? Text = null,
    JsonElement? Items = null,
    JsonElement? JobMetadata = null);

/// <summary>The flat job object of parse and extract jobs; <see cref="Tier"/> and <see cref="Usage"/> are the parse job's (usage only with expand=usage).</summary>
internal sealed record ProductJob(
    string Id, string Status, string? ErrorMessage = null, DateTimeOffset? CreatedAt = null, DateTimeOffset? UpdatedAt = null, string? Tier = null, JobUsage? Usage = null);

/// <summary>
/// Credits billed against a job, "null until billing has recorded it" (SDK 2.16.0 <c>resources/parsing.d.ts</c>
/// <c>Usage</c>; extract adds its parts, <c>resources/extract.d.ts</c>; docs/llamacloud-api.md §1.7).
/// </summary>
internal sealed record JobUsage(decimal? Credits = null, decimal? ExtractCredits = null, decimal? ParseCredits = null);

/// <summary>The <c>markdown</c> or <c>text</c> expansion: one entry per page.</summary>
internal sealed record ParsePages(IReadOnlyList<ParsePage>? Pages = null);

/// <summary>A page: a result page (<c>success</c> true) with its markdown or text, or a failed page (<c>success</c> false, <c>error</c>).</summary>
internal sealed record ParsePage(int PageNumber, bool? Success = null, string? Markdown = null, string? Text = null, string? Error = null);
