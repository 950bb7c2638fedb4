namespace BatchOrchestrator.Core.Sources;

/// <summary>One step of a walk: a file's look, or a place whose contents could not be seen (or recorded), or were gone.</summary>
internal readonly record struct WalkItem(string RelativePath, long Size, long MtimeTicks, bool IsUnreadableFolder = false, bool IsEmptyFolder = false)
{
    /// <summary>
    /// A marker at <paramref name="prefix"/> ("dir/", or a file's own path): stored paths under it are left as they are,
    /// not taken for deleted.
    /// </summary>
    public static WalkItem UnreadableFolder(string prefix) => new(prefix, 0, 0, IsUnreadableFolder: true);

    /// <summary>
    /// A folder below the root found holding nothing at all, as a share's mount point is while the share is not mounted:
    /// a place like an unreadable folder, whose known files are kept (and named) rather than taken for deleted.
    /// </summary>
    public static WalkItem EmptyFolder(string prefix) => new(prefix, 0, 0, IsUnreadableFolder: true, IsEmptyFolder: true);
}
