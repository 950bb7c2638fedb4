namespace BatchOrchestrator.Core.Sources;

/// <summary>A file a scan could not take, or took with a caveat, and why (stored per path, shown to operators).</summary>
internal sealed record ScanProblem(string RelativePath, ScanProblemKind Kind, string Reason);

/// <summary>Kinds of <see cref="ScanProblem"/>. Stored by name; renaming a member is a migration.</summary>
internal enum ScanProblemKind
{
    /// <summary>The name is not valid UTF-8, so it cannot be opened through .NET on Linux.</summary>
    InvalidName,

    /// <summary>A symbolic link not followed (by configuration), dangling, or looping.</summary>
    Symlink,

    /// <summary>A folder that cannot be listed; what was known under it is kept as it was.</summary>
    UnreadableFolder,

    /// <summary>A file that cannot be read (permissions, I/O error).</summary>
    Unreadable,

    /// <summary>Zero bytes: nothing to process (taken once it has content).</summary>
    Empty,

    /// <summary>Larger than the API accepts for the source's job type.</summary>
    TooLarge,

    /// <summary>A named pipe, a socket or a device: nothing to read as a document, and reading a pipe would block.</summary>
    NotAFile,

    /// <summary>Changed again since a look at which it had not settled yet: still being written; taken once it settles.</summary>
    StillChanging,

    /// <summary>A path longer than can be recorded (<see cref="RecordablePath"/>), named at the folder that holds it.</summary>
    PathTooLong,

    /// <summary>
    /// A folder below the root that holds nothing now, where files were known, in a source that guards its emptied subfolders
    /// (<see cref="SourceOptions.GuardEmptiedSubfolders"/>): what was known under it is kept, since a share's mount point
    /// looks so while the share is not mounted.
    /// </summary>
    EmptiedFolder,
}
