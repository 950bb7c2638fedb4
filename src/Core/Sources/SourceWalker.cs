using System.IO.Enumeration;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Walks a source folder depth-first in UTF-8 byte order of the relative paths (the order PostgreSQL's
/// "C" collation gives the stored rows), one stat per file, holding only the entries of the folders
/// on the current path: memory grows with depth and folder width, never with the number of files.
/// Odd entries are reported with a reason instead of failing the walk.
/// </summary>
internal sealed class SourceWalker(
    string root, GlobFilter filter, SymlinkPolicy symlinks, long maxFileBytes, Action<ScanProblem> report, bool limitIsConfigured = false, bool markEmptyFolders = false)
{
    // Nested followed folder links on one path; the kernel's own limit for a path is 40 (ELOOP).
    private const int MaxNestedLinks = 8;

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

    /// <summary>
    /// Whether the walk met any file, or any folder it did not go into, taken or not (read once the walk has ended). An
    /// unmounted share's mount point holds none, and neither do the folders it leaves when mounted below the source's
    /// root (an empty folder is only a place); a folder whose files the source leaves out (hidden, excluded, odd) is not one.
    /// </summary>
    public bool MetAnEntry { get; private set; }

    /// <summary>Files the Include/Exclude patterns left out, not counting hidden or temporary names (read once the walk has ended).</summary>
    public int FilesLeftOutByPatterns { get; private set; }

    /// <summary>Whether the patterns took any file, whether or not it could then be observed (read once the walk has ended).</summary>
    public bool PatternsTookAFile { get; private set; }

    /// <summary>Files in order, and a <see cref="WalkItem.IsUnreadableFolder"/> marker where a folder could not be listed (or held nothing).</summary>
    public IEnumerable<WalkItem> Walk()
    {
        var top = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var stack = new List<Frame> { new(List(top), "", top, 0) };
        while (stack.Count > 0)
        {
            var frame = stack[^1];
            if (frame.Index == frame.Entries.Count)
            {
                stack.RemoveAt(stack.Count - 1);
                continue;
            }

            var entry = frame.Entries[frame.Index++];
            MetAnEntry |= !entry.IsDirectory;
            var relative = frame.Prefix + entry.Name;
            // The full path is built only where a file needs more than its entry (a link, an odd name, an empty
            // file, a folder): for the rest, one string less per file.
            if (entry.Name.Contains('\uFFFD', StringComparison.Ordinal) && !Path.Exists(Path.Join(frame.Physical, entry.Name)))
            {
                // .NET decodes an invalid byte as U+FFFD, so the decoded name leads nowhere.
                report(RecordablePath.InvalidName(frame.Prefix, entry.Name, "the name is not valid UTF-8 and cannot be opened; rename it"));
                MetAnEntry = true;
                continue;
            }

            if (frame.Index > 1 && string.Equals(frame.Entries[frame.Index - 2].SortKey, entry.SortKey, StringComparison.Ordinal))
            {
                // A folder holds each name once, so two that read the same were decoded: an invalid name beside a valid one
                // spelled with U+FFFD, which is where the decoded name leads. Walked twice, the path broke the byte order
                // the merge with the stored looks relies on, and every scan of the source failed.
                report(RecordablePath.InvalidName(frame.Prefix, entry.Name, "two names here read the same: one is not valid UTF-8 and cannot be opened; rename it"));
                MetAnEntry = true;
                continue;
            }

            if (!RecordablePath.Fits(relative) && (entry.IsDirectory ? filter.Enters(entry.Name) : !filter.LeavesOutByName(relative) && filter.PatternsTake(relative)))
            {
                // Keyed by its path, such a file failed every scan of its source. Set aside, with what was known of it kept.
                report(RecordablePath.Problem(frame.Prefix, entry.Name));
                MetAnEntry = true;
                yield return WalkItem.UnreadableFolder(entry.IsDirectory ? relative + "/" : relative);
                continue;
            }

            if (entry.IsDirectory)
            {
                var depth = stack.Count;
                if (filter.Enters(entry.Name) && Descend(stack, frame, entry, relative, Path.Join(frame.Physical, entry.Name)) is { } unreadable)
                {
                    yield return unreadable;
                }

                // Not gone into (hidden, a link not followed, unlistable: nothing under it could be taken or seen), it was met;
                // gone into, what it holds is met or not.
                MetAnEntry |= stack.Count == depth;
                continue;
            }

            if (filter.LeavesOutByName(relative))
            {
                continue;
            }

            if (!filter.PatternsTake(relative))
            {
                FilesLeftOutByPatterns++;
                continue;
            }

            PatternsTookAFile = true;
            if (Observe(entry, relative, frame.Physical) is not { } observation)
            {
                continue;
            }

            if (observation.Size == 0 && !entry.IsLink && Statx.Works && Statx.Of(Path.Join(frame.Physical, entry.Name)) is null)
            {
                // Listed but not looked at: .NET reads such an entry as zero bytes. Either it is gone since the listing (the
                // merge takes it as gone), or its folder can be listed (r) but not entered (x), where every file reads so:
                // taken as empty, a permission change would have counted as a change of each file in it.
                if (Statx.Of(Path.Join(frame.Physical, ".")) is null)
                {
                    report(new ScanProblem(
                        frame.Prefix.Length == 0 ? "." : frame.Prefix[..^1],
                        ScanProblemKind.UnreadableFolder,
                        "the folder can be listed but not entered (no search permission, x); what was known under it is kept"));
                    frame.Index = frame.Entries.Count;
                    MetAnEntry = true;
                    yield return WalkItem.UnreadableFolder(frame.Prefix);
                }

                continue;
            }

            if (observation.Size == 0 && FileKind.SpecialKindOf(Path.Join(frame.Physical, entry.Name)) is { } special)
            {
                report(new ScanProblem(relative, ScanProblemKind.NotAFile, $"{special}, not a regular file: never read"));
                continue;
            }

            if (observation.Size == 0)
            {
                report(new ScanProblem(relative, ScanProblemKind.Empty, "zero bytes: nothing to process (taken once it has content)"));
            }
            else if (observation.Size > maxFileBytes)
            {
                report(new ScanProblem(relative, ScanProblemKind.TooLarge, limitIsConfigured
                    ? $"{observation.Size} bytes is over this source's MaxFileBytes of {maxFileBytes}"
                    : $"{observation.Size} bytes is over the API's limit of {maxFileBytes} bytes for this source's job type"));
            }

            yield return new WalkItem(relative, observation.Size, observation.MtimeTicks);
        }
    }

    private WalkItem? Descend(List<Frame> stack, Frame parent, Entry entry, string relative, string physical)
    {
        var target = physical;
        var links = parent.Links;
        if (entry.IsLink)
        {
            if (symlinks == SymlinkPolicy.Skip)
            {
                report(new ScanProblem(relative, ScanProblemKind.Symlink, "a symbolic link to a folder, not followed (Symlinks is Skip)"));
                return null;
            }

            target = Directory.ResolveLinkTarget(physical, returnFinalTarget: true) is { Exists: true } resolved ? Path.GetFullPath(resolved.FullName) : null;
            if (target is null)
            {
                report(new ScanProblem(relative, ScanProblemKind.Symlink, "a symbolic link whose target does not exist"));
                return null;
            }

            var deepest = stack.Where((f, i) => i == stack.Count - 1 || stack[i + 1].Links != f.Links).Select(f => f.Physical);
            if (stack.Exists(f => string.Equals(f.Physical, target, StringComparison.Ordinal)) || LinkLoops.LeadBack(target, deepest) || ++links > MaxNestedLinks)
            {
                report(new ScanProblem(relative, ScanProblemKind.Symlink, $"a symbolic link that loops back to '{target}'; not followed"));
                return null;
            }
        }

        List<Entry> entries;
        try
        {
            entries = List(target);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            report(new ScanProblem(relative, ScanProblemKind.UnreadableFolder, $"the folder cannot be listed ({ex.Message}); what was known under it is kept"));
            return WalkItem.UnreadableFolder(relative + "/");
        }

        stack.Add(new Frame(entries, relative + "/", target, links));
        return entries.Count == 0 && markEmptyFolders ? WalkItem.EmptyFolder(relative + "/") : null;
    }

    private FileObservation? Observe(Entry entry, string relative, string folder)
    {
        if (!entry.IsLink)
        {
            return new FileObservation(relative, entry.Size, entry.MtimeTicks);
        }

        var physical = Path.Join(folder, entry.Name);
        if (symlinks == SymlinkPolicy.Skip)
        {
            report(new ScanProblem(relative, ScanProblemKind.Symlink, "a symbolic link, not followed (Symlinks is Skip)"));
            return null;
        }

        var stamp = FileStamp.Read(physical);
        if (!stamp.Exists)
        {
            report(new ScanProblem(relative, ScanProblemKind.Symlink, "a symbolic link whose target does not exist, or a loop of links; not followed"));
            return null;
        }

        return new FileObservation(relative, stamp.Size, stamp.MtimeTicks);
    }

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

    private sealed class Frame(List<Entry> entries, string prefix, string physical, int links)
    {
        public List<Entry> Entries { get; } = entries;

        public string Prefix { get; } = prefix;

        public string Physical { get; } = physical;

        public int Links { get; } = links;

        public int Index { get; set; }
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
