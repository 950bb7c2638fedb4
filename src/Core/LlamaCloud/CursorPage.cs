namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// A cursor page (<c>PaginatedCursor</c>, docs/llamacloud-api.md §1.3): the last page has no <c>next_page_token</c>.
/// </summary>
internal sealed record CursorPage<T>(IReadOnlyList<T> Items, string? NextPageToken = null, int? TotalSize = null);
