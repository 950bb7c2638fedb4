using System.Text.Json;

namespace BatchOrchestrator.Core.LlamaCloud;

// GET /api/v2/parse/{id}?expand=… (docs/llamacloud-api.md §6.2; SDK src/resources/parsing.ts).

/// <summary>A parse job with whichever expansions were asked for.</summary>
internal sealed record ParseJobResult(ProductJob Job, string? TextFull = null, string? MarkdownFull = null, JsonElement? Items = null);

/// <summary>The flat job object of parse and extract jobs.</summary>
internal sealed record ProductJob(string Id, string Status, string? ErrorMessage = null, DateTimeOffset? CreatedAt = null, DateTimeOffset? UpdatedAt = null);
