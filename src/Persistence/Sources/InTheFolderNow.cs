namespace BatchOrchestrator.Persistence.Sources;

/// <summary>
/// Version <c>fv</c> is a file of the folder now, as the Sources page counts files (OpsQueries.SourcesAsync): the latest
/// version of a path still there that has not become a copy since, or the content of a copy still there, whatever became
/// of the version's own path (a file copied, then the original edited: the copy is still that version). A failure of a
/// path deleted or renamed away, or whose content changed since (the file fixed, as "Needs a person" asks), is that
/// file's history: nothing is left to fix, and nothing to send again.
/// </summary>
internal static class InTheFolderNow
{
    /// <summary>The condition on a <c>file_version</c> aliased <c>fv</c>.</summary>
    public const string Condition = """
        ((not exists (
                select 1 from orchestrator.file_version nv
                where nv.source_name = fv.source_name and nv.relative_path = fv.relative_path and nv.id > fv.id)
            and not exists (
                select 1 from orchestrator.file_copy ok where ok.source_name = fv.source_name and ok.relative_path = fv.relative_path)
            and exists (
                select 1 from orchestrator.source_file sf
                where sf.source_name = fv.source_name and sf.relative_path = fv.relative_path and sf.deleted_at is null))
        or exists (
                select 1 from orchestrator.file_copy k join orchestrator.source_file sf
                  on sf.source_name = k.source_name and sf.relative_path = k.relative_path and sf.deleted_at is null
                where k.file_version_id = fv.id))
        """;
}
