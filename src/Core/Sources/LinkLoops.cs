namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Whether a followed folder link leads back into the walk: to a folder being walked, or to one that holds a folder
/// being walked (the source's parent, "/"). The second is a loop one lap longer: walked, it took the whole source a
/// second time under the link's name (sent and billed again with <c>ContentHashAndPath</c> or a mirror), and everything
/// beside it there (another source's files, the results written out) into this source. Folders are compared by device
/// and inode (<see cref="Statx"/>), and their ancestors found through "..", which the kernel resolves as the folder
/// really lies, whatever links the path took. Where statx cannot be asked, the walk's own comparison of paths stands.
/// </summary>
internal static class LinkLoops
{
    // A path stays within PATH_MAX (4,096 bytes), so no folder is nested deeper than this; "/.." repeated ends before.
    private const int MaxLevels = 2_048;

    /// <param name="target">The folder the link leads to, links resolved.</param>
    /// <param name="deepest">The deepest folder of each stretch of the walk reached without a link (each holds the others of its stretch).</param>
    public static bool LeadBack(string target, IEnumerable<string> deepest)
    {
        if (Statx.Of(target) is not { } to)
        {
            return false;
        }

        foreach (var folder in deepest)
        {
            Statx? below = null;
            var path = folder;
            for (var level = 0; level < MaxLevels && Statx.Of(path) is { } at; level++, path += "/..")
            {
                if (at.IsSame(to))
                {
                    return true;
                }

                if (below is { } child && child.IsSame(at))
                {
                    break; // "/" is its own parent
                }

                below = at;
            }
        }

        return false;
    }
}
