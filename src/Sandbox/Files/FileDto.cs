namespace BatchOrchestrator.Sandbox.Files;

/// <summary>The file response (SDK files.ts FileCreateResponse, plus the File schema's size and timestamps).</summary>
internal sealed record FileDto(
    string Id,
    string Name,
    string ProjectId,
    string? FileType,
    string? Purpose,
    string? ExternalFileId,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastModifiedAt,
    long? FileSize,
    PresignedUrlDto? DownloadUrl,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt);
