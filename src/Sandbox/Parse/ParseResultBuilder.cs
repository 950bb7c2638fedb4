using System.Globalization;

namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>Assembles GET /api/v2/parse/{job_id} for the requested expand values (docs/llamacloud-api.md §6.2).</summary>
internal static class ParseResultBuilder
{
    /// <summary>Not available on the fast tier (DOCS retrieving-results); asking is a 400 (§6.2 [I]).</summary>
    public static readonly IReadOnlyList<string> NotOnFastTier = ["markdown", "markdown_full", "items"];

    public static ParseResultDto Build(ParseJobRecord job, ParseOutput? output, IReadOnlyCollection<string> expand)
    {
        var result = new ParseResultDto(job.ToDto(expand.Contains("usage")));
        if (output is null)
        {
            return result;
        }

        bool Wants(string name) => expand.Contains(name);
        return result with
        {
            Text = Wants("text") ? new PagesDto<TextPageDto>([.. output.Pages.Select(p => new TextPageDto(p.Number, p.Text))]) : null,
            TextFull = Wants("text_full") ? output.TextFull : null,
            Markdown = Wants("markdown") ? new PagesDto<MarkdownPageDto>([.. output.Pages.Select(p => new MarkdownPageDto(p.Number, true, p.Markdown, null, null))]) : null,
            MarkdownFull = Wants("markdown_full") ? output.MarkdownFull : null,
            Items = Wants("items") ? new PagesDto<ItemsPageDto>([.. output.Pages.Select(p => new ItemsPageDto(p.Number, true, 612, 792, p.Items))]) : null,
            Metadata = Wants("metadata") ? Metadata(output) : null,
            Forms = Wants("forms") ? new PagesDto<FormsPageDto>([.. output.Pages.Select(p => new FormsPageDto(p.Number, true, []))]) : null,
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

    private static Dictionary<string, string> JobMetadata(ParseJobRecord job, ParseOutput output) => new(StringComparer.Ordinal)
    {
        ["file_name"] = job.Source.FileName,
        ["file_size_bytes"] = job.Source.Bytes.LongLength.ToString(CultureInfo.InvariantCulture),
        ["page_count"] = output.Pages.Count.ToString(CultureInfo.InvariantCulture),
        ["tier"] = job.Tier,
        ["emulator"] = "BatchOrchestrator Sandbox",
    };
}
