using System.IO.Enumeration;

namespace BatchOrchestrator.Core.Sources;

/// <summary>Listing one folder of a walk: its entries, in the order the stored rows sort in.</summary>
internal sealed partial class SourceWalker
{
    private static readonly EnumerationOptions ListOptions = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    // Symbolic links are skipped by the directory entry's own type (d_type), which costs no system call.
    private static readonly EnumerationOptions ListOptionsWithoutLinks = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = FileAttributes.ReparsePoint,
        ReturnSpecialDirectories = false,
    };

    private static List<Entry> List(string directory)
    {
        // Telling a link from a file through FileSystemEntry.Attributes costs a geteuid(2) per entry on Unix (for the
        // ReadOnly bit) on top of the lstat(2) that size and mtime need: about a third of an unchanged scan's time.
        // Links are rare, so list without them (skipped by the entry's type, for free), count every entry by name
        // (one more readdir, no stat), and list the folder again with attributes only when the two differ.
        var entries = new FileSystemEnumerable<Entry>(directory, (ref entry) => Entry.From(ref entry, isLink: false), ListOptionsWithoutLinks).ToList();
        if (CountEntries(directory) != entries.Count)
        {
            entries = new FileSystemEnumerable<Entry>(directory, (ref entry) => Entry.From(ref entry, (entry.Attributes & FileAttributes.ReparsePoint) != 0), ListOptions).ToList();
        }

        entries.Sort(static (a, b) => Utf8Order.Compare(a.SortKey, b.SortKey));
        return entries;
    }

    private static int CountEntries(string directory)
    {
        var count = 0;
        foreach (var _ in new FileSystemEnumerable<bool>(directory, static (ref _) => true, ListOptions))
        {
            count++;
        }

        return count;
    }

    // A folder sorts as "name/" so that its files land where their full paths sort among its siblings.
    private readonly record struct Entry(string Name, string SortKey, bool IsDirectory, bool IsLink, long Size, long MtimeTicks)
    {
        public static Entry From(ref FileSystemEntry entry, bool isLink)
        {
            var isDirectory = entry.IsDirectory;
            var name = entry.FileName.ToString();
            var mtime = 0L;
            if (!isDirectory)
            {
                // Read here, where a ref struct may be; an mtime out of .NET's range throws (FileStamp.UnrepresentableMtime).
                try
                {
                    mtime = entry.LastWriteTimeUtc.UtcTicks;
                }
                catch (ArgumentOutOfRangeException)
                {
                    mtime = FileStamp.UnrepresentableMtime;
                }
            }

            return new Entry(
                name,
                isDirectory ? name + "/" : name,
                isDirectory,
                isLink,
                isDirectory ? 0 : entry.Length,
                mtime);
        }
    }
}
