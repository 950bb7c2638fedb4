namespace BatchOrchestrator.Core.Cleanup;

/// <summary>What a remote artefact is (stored by name in <c>orchestrator.remote_artefact.kind</c>).</summary>
internal enum RemoteArtefactKind
{
    /// <summary>A parse or extract job and its results (<c>DELETE /api/v2/parse/{id}</c>, <c>/api/v2/extract/{id}</c>).</summary>
    Job,

    /// <summary>A file in a run's directory (<c>DELETE /api/v1/beta/directories/{dir}/files/{dfl}</c>).</summary>
    DirectoryFile,

    /// <summary>The stored bytes behind a directory file (<c>DELETE /api/v1/beta/files/{file_id}</c>).</summary>
    StoredFile,

    /// <summary>A run's own directory, once every file in it is done (<c>DELETE /api/v1/beta/directories/{dir}</c>).</summary>
    Directory,
}
