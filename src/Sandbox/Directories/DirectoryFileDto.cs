using BatchOrchestrator.Sandbox.Files;

namespace BatchOrchestrator.Sandbox.Directories;

/// <summary>The directory file response (SDK beta/directories/files.ts FileGetResponse).</summary>
internal sealed record DirectoryFileDto(
    string Id,
    string DirectoryId,
    string ProjectId,
    string DisplayName,
    string UniqueId,
    string? FileId,
    IReadOnlyDictionary<string, JsonElement> Metadata,
    PresignedUrlDto? DownloadUrl,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? DeletedAt);
