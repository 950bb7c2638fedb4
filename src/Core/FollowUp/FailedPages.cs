using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// The pages of a COMPLETED parse job that failed. The SDK types a failed page only in the per-page forms with a
/// <c>success</c> flag (<c>markdown</c>, <c>items</c>, <c>forms</c>: <c>page_number</c>, <c>success: false</c>,
/// <c>error</c>; SDK 2.16.0 <c>resources/parsing.d.ts</c>, FailedMarkdownPage); its text page has no such flag, and
/// <c>markdown_full</c>, <c>text_full</c> and <c>job_metadata</c> say nothing of failed pages (docs/llamacloud-api.md §6.2).
/// So the follow-up asks for <c>markdown</c> pages in the same request as the full texts, and reads them here. A text
/// page flagged <c>success: false</c> (which the SDK does not promise) counts too.
/// </summary>
internal static class FailedPages
{
    public static (IReadOnlyList<int> Pages, string? FirstError) Of(params ParsePages?[] forms)
    {
        var failed = forms
            .SelectMany(f => f?.Pages ?? [])
            .Where(p => p.Success == false)
            .GroupBy(p => p.PageNumber)
            .OrderBy(g => g.Key)
            .ToList();
        return ([.. failed.Select(g => g.Key)], failed.Select(g => g.FirstOrDefault(p => !string.IsNullOrWhiteSpace(p.Error))?.Error).FirstOrDefault(e => e is not null));
    }

    /// <summary>"pages 2, 4 failed: …" for a log line, a record and an operator.</summary>
    public static string Describe(IReadOnlyList<int> pages, string? firstError) =>
        $"{(pages.Count == 1 ? "page" : "pages")} {string.Join(", ", pages)} failed at LlamaCloud{(firstError is null ? "" : ": " + firstError)}";
}
