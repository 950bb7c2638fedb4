namespace BatchOrchestrator.Sandbox.Http;

/// <summary>The cursor page every v2 and beta list returns (docs/llamacloud-api.md §1.3).</summary>
internal sealed record CursorPage<T>(IReadOnlyList<T> Items, string? NextPageToken, int? TotalSize);
