using System.Globalization;

namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>Assembles GET /api/v2/parse/{job_id} for the requested expand values (docs/llamacloud-api.md §6.2).</summary>
internal static class ParseResultBuilder
{
    /// <summary>Not available on the fast tier (DOCS retrieving-results); asking is a 400 (§6.2 [I]).</summary>
    public static readonly IReadOnlyList<string> NotOnFastTier = ["markdown", "markdown_full", "items"];

    /// <summary>
    /// <paramref name="listFailedTextPages"/>: the SDK's text page has no <c>success</c> or <c>error</c>, so where a failed
    /// page goes in <c>text</c> is a guess (<see cref="SandboxGuesses.ListFailedTextPages"/>). <c>markdown</c>, <c>items</c> and
    /// <c>forms</c> carry a failed page as the SDK types it: <c>page_number</c>, <c>success: false</c>, <c>error</c>.
    /// </summary>
    public static ParseResultDto Build(ParseJobRecord job, ParseOutput? output, IReadOnlyCollection<string> expand, bool listFailedTextPages = false)
    {
        var result = new ParseResultDto(job.ToDto(expand.Contains("usage")));
        if (output is null)
        {
            return result;
        }

        bool Wants(string name) => expand.Contains(name);
        return result with
        {
            Text = Wants("text") ? new PagesDto<TextPageDto>([.. output.Pages.Where(p => p.Error is null || listFailedTextPages).Select(p => new TextPageDto(p.Number, p.Text))]) : null,
            TextFull = Wants("text_full") ? output.TextFull : null,
            Markdown = Wants("markdown") ? new PagesDto<MarkdownPageDto>([.. output.Pages.Select(p => p.Error is null ? new MarkdownPageDto(p.Number, true, p.Markdown) : new MarkdownPageDto(p.Number, false, Error: p.Error))]) : null,
            MarkdownFull = Wants("markdown_full") ? output.MarkdownFull : null,
            Items = Wants("items") ? new PagesDto<ItemsPageDto>([.. output.Pages.Select(p => p.Error is null ? new ItemsPageDto(p.Number, true, 612, 792, p.Items) : new ItemsPageDto(p.Number, false, Error: p.Error))]) : null,
            Metadata = Wants("metadata") ? Metadata(output) : null,
            Forms = Wants("forms") ? new PagesDto<FormsPageDto>([.. output.Pages.Select(p => p.Error is null ? new FormsPageDto(p.Number, true, []) : new FormsPageDto(p.Number, false, Error: p.Error))]) : null,
            JobMetadata = Wants("job_metadata") ? JobMetadata(job, output) : null,
            ImagesContentMetadata = Wants("images_content_metadata") ? new ImagesContentMetadataDto(0, []) : null,
        };
    }

    private static MetadataDto Metadata(ParseOutput output)
    {
        // Text documents parse with certainty; "scanned" binaries a little less.
        var confidence = output.FromText ? 0.99 : 0.93;
        var pages = output.Pages.Select(p => new MetadataPageDto(p.Number, confidence, false, p.Number.ToString(CultureInfo.InvariantCulture))).ToList();
        return new MetadataDto(pages, new DocumentMetadataDto(confidence));
    }

    /// <summary>
    /// job_metadata is untyped in the SDK (docs/llamacloud-api.md §11.13). Ours carries the billing keys
    /// LlamaParse's job results have used, <c>job_pages</c> (billed pages), <c>job_credits_usage</c> and
    /// <c>job_is_cache_hit</c>: the shape the Worker reads (docs/costs.md). <c>page_count</c> is the output's pages.
    /// </summary>
    private static System.Text.Json.Nodes.JsonObject JobMetadata(ParseJobRecord job, ParseOutput output) => new()
    {
        ["file_name"] = job.Source.FileName,
        ["file_size_bytes"] = job.Source.Bytes.LongLength,
        ["page_count"] = output.Pages.Count,
        ["job_pages"] = job.BilledPages,
        ["job_credits_usage"] = job.BilledCredits,
        ["job_is_cache_hit"] = false,
        ["tier"] = job.BilledTier ?? job.Tier,
        ["emulator"] = "BatchOrchestrator Sandbox",
    };
}
