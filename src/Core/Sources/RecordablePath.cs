using System.Globalization;
using System.Text;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// How long a relative path may be to be recorded. Linux allows a whole path of 4,096 bytes (PATH_MAX), but PostgreSQL
/// keeps at most about 2,700 bytes in an index entry, and a source's looks, versions and copies are keyed by the
/// relative path (by the content's hash, 65 bytes, and the path with <c>ContentHashAndPath</c>). A path over that
/// failed the merge of the whole scan, and so every scan of its source, for one file nested too deep.
/// </summary>
internal static class RecordablePath
{
    /// <summary>The longest relative path taken, in UTF-8 bytes; with its source's name and a hash key, well inside PostgreSQL's 2,704.</summary>
    public const int MaxPathBytes = 2_500;

    // A UTF-16 unit is at most 3 UTF-8 bytes: a shorter path is never counted.
    public static bool Fits(string relativePath) =>
        relativePath.Length <= MaxPathBytes / 3 || Encoding.UTF8.GetByteCount(relativePath) <= MaxPathBytes;

    /// <summary>The problem, recorded at the folder holding the name (whose own path fits), since the whole path cannot be.</summary>
    public static ScanProblem Problem(string folderPrefix, string name) => new(
        Folder(folderPrefix),
        ScanProblemKind.PathTooLong,
        string.Create(
            CultureInfo.InvariantCulture,
            $"holds '{name}', whose path here is over {MaxPathBytes} bytes (UTF-8), more than can be recorded: not taken, and what was known of it is kept; shorten its name or the folders above it"));

    /// <summary>
    /// A name that is not valid UTF-8, recorded at its own path, or at its folder where that path does not fit: each
    /// invalid byte reads as U+FFFD, three bytes, so a path that fits as written may pass the limit once decoded, and a problem
    /// keyed by a path too long to record failed every scan of its source.
    /// </summary>
    public static ScanProblem InvalidName(string folderPrefix, string name, string reason) =>
        Fits(folderPrefix + name)
            ? new(folderPrefix + name, ScanProblemKind.InvalidName, reason)
            : new(Folder(folderPrefix), ScanProblemKind.InvalidName, $"holds '{name}': {reason}");

    private static string Folder(string prefix) => prefix.Length == 0 ? "." : prefix[..^1];
}
