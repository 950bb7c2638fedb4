namespace BatchOrchestrator.Sandbox.Directories;

/// <summary>The directory response (SDK beta/directories/directories.ts DirectoryGetResponse).</summary>
internal sealed record DirectoryDto(
    string Id,
    string Name,
    string ProjectId,
    string? Type,
    string? Description,
    string? ConnectorSubscriptionId,
    JsonElement? SystemMetadata,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? DeletedAt);
