using BatchOrchestrator.Sandbox.Files;

namespace BatchOrchestrator.Sandbox.Directories;

/// <summary>Directory-file operations shared by upload, add-by-file_id and the reads. Call under the state lock.</summary>
internal sealed class DirectoryFiles(SandboxState state, DownloadLinks links)
{
    public DirectoryFileRecord? Find(string projectId, string directoryId, string fileId, bool includeDeleted = false)
        => state.DirectoryFiles.TryGet(projectId, fileId, out var file) && file.DirectoryId == directoryId && (includeDeleted || file.DeletedAt is null)
            ? file
            : null;

    public DirectoryFileRecord? FindByUniqueId(string projectId, string directoryId, string uniqueId)
        => state.DirectoryFilesByUniqueId.TryGetValue((projectId, directoryId, uniqueId), out var file)
            && file.DirectoryId == directoryId && file.UniqueId == uniqueId && file.DeletedAt is null && state.DirectoryFiles.Contains(projectId, file.Id)
            ? file
            : null;

    /// <summary>Moves the file to <paramref name="directoryId"/> under <paramref name="uniqueId"/> (either may be unchanged).</summary>
    public void Rekey(DirectoryFileRecord file, string directoryId, string uniqueId)
    {
        file.DirectoryId = directoryId;
        file.UniqueId = uniqueId;
        state.DirectoryFilesByUniqueId[(file.ProjectId, directoryId, uniqueId)] = file;
    }

    /// <summary>
    /// Adds a file; when the directory already holds this unique_id, does as <paramref name="same"/> says (the upstream
    /// behaviour is unknown, docs/llamacloud-api.md §4.2): replaces that entry's content under its own dfl- id, adds a
    /// second entry, or refuses (null).
    /// </summary>
    public DirectoryFileRecord? Upsert(
        string directoryId, StoredFile stored, string displayName, string uniqueId, Dictionary<string, JsonElement>? metadata, SameUniqueId same)
    {
        var now = state.Now;
        var existing = FindByUniqueId(stored.ProjectId, directoryId, uniqueId);
        if (existing is not null && same == SameUniqueId.Refuse)
        {
            return null;
        }

        if (existing is not null && same == SameUniqueId.Replace)
        {
            existing.FileId = stored.Id;
            existing.Content = stored.Content;
            existing.DisplayName = displayName;
            existing.Metadata = metadata ?? existing.Metadata;
            existing.UpdatedAt = now;
            return existing;
        }

        var file = new DirectoryFileRecord
        {
            Sequence = state.NextSequence(),
            Id = Ids.File(),
            DirectoryId = directoryId,
            ProjectId = stored.ProjectId,
            DisplayName = displayName,
            UniqueId = uniqueId,
            FileId = stored.Id,
            Content = stored.Content,
            Metadata = metadata ?? new(StringComparer.Ordinal),
            CreatedAt = now,
            UpdatedAt = now,
        };
        state.DirectoryFiles.Add(file);
        state.DirectoryFilesByUniqueId[(file.ProjectId, directoryId, uniqueId)] = file;
        return file;
    }

    public StoredFile Store(string projectId, StoredContent content, string purpose, string? externalFileId)
    {
        var stored = new StoredFile
        {
            Sequence = state.NextSequence(),
            Id = Ids.File(),
            ProjectId = projectId,
            Content = content,
            Purpose = purpose,
            ExternalFileId = externalFileId,
            CreatedAt = state.Now,
        };
        state.Files.Add(stored);
        return stored;
    }

    public DirectoryFileDto ToDto(DirectoryFileRecord file, HttpRequest request, bool withDownloadUrl)
        => new(
            file.Id,
            file.DirectoryId,
            file.ProjectId,
            file.DisplayName,
            file.UniqueId,
            file.FileId,
            file.Metadata,
            withDownloadUrl ? links.Create(request, file.FileId) : null,
            file.CreatedAt,
            file.UpdatedAt,
            file.DeletedAt);
}
