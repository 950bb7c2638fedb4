namespace BatchOrchestrator.Sandbox.Files;

/// <summary>
/// The file response: create, list and retrieve all answer the same fields (SDK 2.16.0 files.ts FileCreateResponse,
/// FileListResponse, FileRetrieveResponse). The <c>File</c> schema's size and timestamps are not among them, and a
/// FastAPI answer carries only its response model's fields, so the Sandbox does not send them either.
/// </summary>
internal sealed record FileDto(
    string Id,
    string Name,
    string ProjectId,
    string? FileType,
    string? Purpose,
    string? ExternalFileId,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastModifiedAt,
    PresignedUrlDto? DownloadUrl);
