using System.Text.Json.Serialization;

namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>
/// GET /api/v2/parse/{job_id}: <c>job</c> always, every other field only when expanded
/// (SDK parsing.ts ParsingGetResponse; docs/llamacloud-api.md §6.2).
/// </summary>
internal sealed record ParseResultDto(ParseJobDto Job)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PagesDto<TextPageDto>? Text { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TextFull { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PagesDto<MarkdownPageDto>? Markdown { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MarkdownFull { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PagesDto<ItemsPageDto>? Items { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MetadataDto? Metadata { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PagesDto<FormsPageDto>? Forms { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public System.Text.Json.Nodes.JsonObject? JobMetadata { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ImagesContentMetadataDto? ImagesContentMetadata { get; init; }
}

/// <summary>A <c>{"pages": [...]}</c> wrapper.</summary>
internal sealed record PagesDto<T>(IReadOnlyList<T> Pages);

internal sealed record TextPageDto(int PageNumber, string Text);

// A failed page (success false) is page_number, success and error alone, as the SDK's FailedMarkdownPage,
// FailedStructuredPage and FailedFormsPage (resources/parsing.d.ts, 2.16.0); a result page has no error.
internal sealed record MarkdownPageDto(
    int PageNumber,
    bool Success,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Markdown = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Header = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Footer = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

internal sealed record ItemsPageDto(
    int PageNumber,
    bool Success,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? PageWidth = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? PageHeight = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ItemDto>? Items = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

internal sealed record FormsPageDto(
    int PageNumber,
    bool Success,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Forms = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

internal sealed record MetadataDto(IReadOnlyList<MetadataPageDto> Pages, DocumentMetadataDto Document);

internal sealed record MetadataPageDto(int PageNumber, double Confidence, bool CostOptimized, string PrintedPageNumber);

internal sealed record DocumentMetadataDto(double Confidence);

internal sealed record ImagesContentMetadataDto(int TotalCount, IReadOnlyList<string> Images);
