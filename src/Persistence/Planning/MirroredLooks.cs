namespace BatchOrchestrator.Persistence.Planning;

/// <summary>What a mirror reads of a path's current look (<c>orchestrator.source_file</c>, aliased <c>f</c>) beside a mirrored version.</summary>
internal static class MirroredLooks
{
    /// <summary>
    /// The look has no hash yet and the scan set nothing aside about the path: its new content is settling, to be hashed,
    /// and the mirror keeps the old copy and waits for it. A look the scan set aside (emptied, grown past the size limit,
    /// unreadable, changing without end) is never hashed as it is: counted as settling it held the whole mirror back for
    /// good, every new and changed file of the folder with it. Its old copy is the folder's content no more, and goes.
    /// So too a look under a folder the scan could not list or found emptied (its rows kept as they were): nothing will
    /// hash it until the folder is back, and waiting for it held every other file of the mirror as long, naming nothing.
    /// <paramref name="folderKinds"/> is the statement's placeholder for <see cref="FolderKinds"/>.
    /// </summary>
    public static string Settling(string folderKinds) => $"""
        (f.sha256 is null and not exists (
            select 1 from orchestrator.source_file_problem p
            where p.source_name = f.source_name
              and (p.relative_path = f.relative_path or (p.kind = any({folderKinds}) and starts_with(f.relative_path, p.relative_path || '/')))))
        """;

    /// <summary>The problems a scan records at a folder whose files' rows it kept as they were, for <see cref="Settling"/>.</summary>
    public static NpgsqlParameter FolderKinds() =>
        StateParameters.Names([Core.Sources.ScanProblemKind.UnreadableFolder, Core.Sources.ScanProblemKind.EmptiedFolder]);
}
