namespace BatchOrchestrator.Sandbox.Directories;

/// <summary>A file entry in a directory (docs/llamacloud-api.md §4.2); its bytes live in the stored file <see cref="FileId"/>.</summary>
internal sealed class DirectoryFileRecord : ProjectResource
{
    public required string DirectoryId { get; set; }

    public required string DisplayName { get; set; }

    public required string UniqueId { get; set; }

    public required string FileId { get; set; }

    /// <summary>The bytes, kept here too so the entry survives a Files API delete of <see cref="FileId"/>.</summary>
    public required State.StoredContent Content { get; set; }

    public Dictionary<string, JsonElement> Metadata { get; set; } = new(StringComparer.Ordinal);

    public required DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }
}
