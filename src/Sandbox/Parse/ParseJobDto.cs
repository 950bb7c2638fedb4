using System.Text.Json.Serialization;

namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>The flat parse job (SDK parsing.ts ParsingGetResponse.Job); usage only with expand=usage.</summary>
internal sealed record ParseJobDto(
    string Id,
    string ProjectId,
    string Status,
    string? Name,
    string? Tier,
    string? ErrorMessage,
    IReadOnlyDictionary<string, string>? UserMetadata,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ParseUsageDto? Usage,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt);

/// <summary>Credits billed; null until the job completed.</summary>
internal sealed record ParseUsageDto(double? Credits);
