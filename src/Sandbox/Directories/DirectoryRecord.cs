namespace BatchOrchestrator.Sandbox.Directories;

/// <summary>A source directory (docs/llamacloud-api.md §4.1). Mutable; guarded by the state lock.</summary>
internal sealed class DirectoryRecord : ProjectResource
{
    public required string Name { get; set; }

    public required string Type { get; init; }

    public string? Description { get; set; }

    public string? ConnectorSubscriptionId { get; init; }

    public JsonElement? SystemMetadata { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; set; }

    public DirectoryDto ToDto() => new(Id, Name, ProjectId, Type, Description, ConnectorSubscriptionId, SystemMetadata, ExpiresAt, CreatedAt, UpdatedAt, null);
}
