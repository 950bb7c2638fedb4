using System.Text.Json.Nodes;

namespace BatchOrchestrator.Sandbox.Extract;

/// <summary>The extract job (SDK extract.ts ExtractV2Job).</summary>
internal sealed record ExtractJobDto(
    string Id,
    string ProjectId,
    string FileInput,
    string Status,
    string? ConfigurationId,
    string? ErrorMessage,
    JsonNode? ExtractResult,
    ExtractMetadataDto? ExtractMetadata,
    ExtractJobMetadataDto? Metadata,
    ExtractUsageDto? Usage,
    JsonObject? Configuration,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

internal sealed record ExtractMetadataDto(JsonObject FieldMetadata, string? ParseJobId, string? ParseTier);

internal sealed record ExtractJobMetadataDto(ExtractUsageMetricsDto Usage);

internal sealed record ExtractUsageMetricsDto(int NumPagesExtracted, int NumPagesBilled);

internal sealed record ExtractUsageDto(double? Credits, double? ExtractCredits, double? ParseCredits);
