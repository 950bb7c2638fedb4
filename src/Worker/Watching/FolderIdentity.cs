using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Worker.Watching;

/// <summary>
/// Which folder a path names now: its device and inode (<see cref="Statx"/>). A folder moved away and another
/// made under the old name is a different identity, which <see cref="Directory.Exists"/> cannot tell. Where
/// statx cannot be asked, only "a folder is there" is known.
/// </summary>
internal readonly record struct FolderIdentity(ulong DeviceMajor, ulong DeviceMinor, ulong Inode)
{
    /// <summary>What identifies a folder where no inode can be read: its being there.</summary>
    private static readonly FolderIdentity Present = new(0, 0, 0);

    /// <summary>The folder at <paramref name="path"/> (following a symbolic link, as the watcher does), or null when there is none.</summary>
    public static FolderIdentity? Of(string path) => Statx.Of(path) switch
    {
        { } entry => (entry.Mode & Statx.TypeMask) == Statx.Directory ? new(entry.DeviceMajor, entry.DeviceMinor, entry.Inode) : null,
        null => System.IO.Directory.Exists(path) ? Present : null,
    };
}
