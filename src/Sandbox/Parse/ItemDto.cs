using System.Text.Json.Serialization;

namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>A structured item on a page (SDK parsing.ts TextItem / HeadingItem / TableItem).</summary>
internal sealed record ItemDto(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Value,
    string Md,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Level,
    IReadOnlyList<BoxDto> Bbox)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<IReadOnlyList<string>>? Rows { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Csv { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Html { get; init; }
}

/// <summary>A bounding box in points (SDK parsing.ts BBox).</summary>
internal sealed record BoxDto(double X, double Y, double W, double H);
