namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// A cursor page (<c>PaginatedCursor</c>, docs/llamacloud-api.md §1.3): the last page has no <c>next_page_token</c>.
/// </summary>
internal sealed record CursorPage<T>(IReadOnlyList<T>? Items, string? NextPageToken = null, int? TotalSize = null)
{
    /// <summary>
    /// The page's items; none when an answer left them out or sent null (a gateway's empty <c>{}</c> with a 2xx): read as
    /// the SDK's pager reads it (<c>body.items || []</c>, TS SDK 2.16.0 <c>core/pagination.js</c>), not as a crash of the step.
    /// </summary>
    public IReadOnlyList<T> Items { get; init; } = Items ?? [];
}
