namespace BatchOrchestrator.Sandbox.Files;

/// <summary>
/// What a job's <c>file_id</c> / <c>file_input</c> may name: a stored file, a directory file
/// (both dfl-, §1.5 leaves open which one is meant, so both are accepted) or, for extract, a
/// parse job whose document is reused; each of the request's project only. Call under the state lock.
/// </summary>
internal static class DocumentSources
{
    public static StoredContent? Resolve(SandboxState state, string projectId, string id, bool allowParseJob)
    {
        if (state.Files.TryGet(projectId, id, out var file))
        {
            return file.Content;
        }

        if (state.DirectoryFiles.TryGet(projectId, id, out var entry) && entry.DeletedAt is null)
        {
            return entry.Content;
        }

        return allowParseJob && state.ParseJobs.TryGet(projectId, id, out var job) ? job.Source : null;
    }
}
