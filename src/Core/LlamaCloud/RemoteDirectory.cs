namespace BatchOrchestrator.Core.LlamaCloud;

// Shapes of /api/v1/beta/directories (docs/llamacloud-api.md §4; SDK src/resources/beta/directories/*.ts).

/// <summary>A remote directory (<c>dir-…</c>).</summary>
internal sealed record RemoteDirectory(string Id, string Name, string ProjectId, string? Type = null, DateTimeOffset? CreatedAt = null);

/// <summary>A file inside a remote directory (<c>dfl-…</c>); its id is the batch's <c>source_directory_file_id</c>.</summary>
internal sealed record RemoteDirectoryFile(
    string Id,
    string DirectoryId,
    string DisplayName,
    string ProjectId,
    string UniqueId,
    string? FileId = null,
    DateTimeOffset? CreatedAt = null,
    DateTimeOffset? DeletedAt = null,
    DateTimeOffset? UpdatedAt = null);

/// <summary>Body of <c>POST /api/v1/beta/directories</c>.</summary>
internal sealed record CreateDirectoryRequest(string Name, string Type, string? Description = null);
