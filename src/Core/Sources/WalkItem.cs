namespace BatchOrchestrator.Core.Sources;

/// <summary>One step of a walk: a file's look, or a place whose contents could not be seen (or recorded).</summary>
internal readonly record struct WalkItem(string RelativePath, long Size, long MtimeTicks, bool IsUnreadableFolder = false, bool IsEmptyFolder = false)
{
    /// <summary>
    /// A marker at <paramref name="prefix"/> ("dir/", or a file's own path): stored paths under it are left as they are,
    /// not taken for deleted.
    /// </summary>
    public static WalkItem UnreadableFolder(string prefix) => new(prefix, 0, 0, IsUnreadableFolder: true);

    /// <summary>
    /// A folder below the root that holds nothing at all, as the mount point of a share unmounted beside files of the
    /// source's own: what was known under it is left as it is, as for a folder that cannot be listed.
    /// </summary>
    public static WalkItem EmptyFolder(string prefix) => new(prefix, 0, 0, IsUnreadableFolder: true, IsEmptyFolder: true);
}
