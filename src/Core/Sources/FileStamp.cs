namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// A file's size and mtime right now, through a symbolic link to its target (a link's own size is the
/// length of the target's name, which is not what we upload). A link that leads to no file (dangling, or a loop) does not exist.
/// </summary>
internal readonly record struct FileStamp(bool Exists, long Size, long MtimeTicks)
{
    /// <summary>
    /// What a look records as the mtime of a file whose mtime .NET cannot hold (before year 1 or after 9999: tmpfs,
    /// btrfs or a share can store one, from a damaged archive or a wrong clock), where reading it throws. Such a file is
    /// told changed by its size alone until its mtime is an ordinary one again. Not -1, which voids a stored look.
    /// </summary>
    public const long UnrepresentableMtime = long.MaxValue;

    public static FileStamp Read(string fullPath)
    {
        FileSystemInfo? info = new FileInfo(fullPath);
        // Attributes of a missing file read as all bits set, hence the Exists check first.
        if (info.Exists && (info.Attributes & FileAttributes.ReparsePoint) != 0)
        {
            try
            {
                info = info.ResolveLinkTarget(returnFinalTarget: true);
            }
            catch (IOException)
            {
                // A loop of links (ELOOP) leads to no file, like a dangling link: thrown from here it failed the whole
                // walk, or the upload step of the whole batch, for one link.
                return default;
            }
        }

        return info is FileInfo { Exists: true } file ? new FileStamp(true, file.Length, MtimeTicksOf(file)) : default;
    }

    // Thrown, an mtime out of range failed the whole walk of its source; the walker reads its entries' the same way.
    private static long MtimeTicksOf(FileInfo file)
    {
        try
        {
            return file.LastWriteTimeUtc.Ticks;
        }
        catch (ArgumentOutOfRangeException)
        {
            return UnrepresentableMtime;
        }
    }

    public bool Matches(FileObservation expected) => Exists && Size == expected.Size && MtimeTicks == expected.MtimeTicks;
}
