namespace BatchOrchestrator.Sandbox.Files;

/// <summary>
/// A stored file (Files API, docs/llamacloud-api.md §4.3). Directory uploads create one too, so a
/// directory file's <c>file_id</c> resolves; both use the dfl- prefix with distinct ids (§1.5).
/// </summary>
internal sealed class StoredFile : ProjectResource
{
    public required StoredContent Content { get; init; }

    public required string Purpose { get; init; }

    public string? ExternalFileId { get; init; }

    public string Name => Content.FileName;

    /// <summary>Extension without the dot ("pdf"), as file_type reports it; null when there is none.</summary>
    public string? FileType => Content.Extension.Length > 1 ? Content.Extension[1..] : null;

    public FileDto ToDto(PresignedUrlDto? downloadUrl)
        => new(Id, Name, ProjectId, FileType, Purpose, ExternalFileId, null, CreatedAt, downloadUrl);
}
