namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// A cursor page (<c>PaginatedCursor</c>, docs/llamacloud-api.md §1.3): the last page has no <c>next_page_token</c>.
/// </summary>
internal sealed record CursorPage<T>(IReadOnlyList<T>? Items, string? NextPageToken = null, int? TotalSize = null) : IWholeAnswer
{
    private readonly bool listed = Items is not null;

    /// <summary>The page's items (never null once the client has read the page: see <see cref="IWholeAnswer"/>).</summary>
    public IReadOnlyList<T> Items { get; init; } = Items ?? [];

    string? IWholeAnswer.Lacking => listed ? null : "items";
}

/// <summary>
/// An answer that can lack what the API always sends (a gateway's 2xx <c>{}</c>): the client refuses it as a request that may
/// pass later. Read as empty, a list that is the look before a create or an upload (is it there already?) would say no, and
/// the create or upload would be sent again, and billed twice.
/// </summary>
internal interface IWholeAnswer
{
    /// <summary>The field the answer lacks, or null.</summary>
    string? Lacking { get; }
}
