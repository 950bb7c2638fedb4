using System.Text.Json;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Two source files whose names differ only in case (<c>Report.pdf</c>, <c>report.pdf</c>) have results whose names do
/// too; an output share that does not tell case apart (CIFS, a mounted Windows share) holds one file for both, and
/// the second written would replace the first's. Told at write time from the <c>.json</c> already there: it names
/// the source file it is the result of (<c>relative_path</c>), so a check costs one stat when no result is there yet,
/// and a read of its first bytes when one is. A folder that tells case apart never shows another file's result under
/// this name, so there the check finds nothing.
/// </summary>
internal static class CaseClash
{
    // The envelope begins with source and relative_path (FileSystemSink.Envelope); a path of PATH_MAX bytes, escaped, fits.
    private const int HeadBytes = 32 * 1024;

    /// <summary>The source file whose result <paramref name="json"/> holds, when it is not <paramref name="relativePath"/>; else null.</summary>
    public static string? HeldByAnother(string json, string relativePath)
    {
        if (!File.Exists(json))
        {
            return null; // the first delivery of a name: one stat
        }

        var holder = RelativePathIn(json);
        return holder is not null && !string.Equals(holder, relativePath, StringComparison.Ordinal) ? holder : null;
    }

    /// <summary>
    /// The stem <paramref name="name"/>'s results are written under beside another file's of the same name but for case:
    /// the name, <c>~</c> and 16 hex digits of its SHA-256. The same name always gives the same stem, so a rerun overwrites
    /// its own results; the names differ in case, so their hashes differ.
    /// </summary>
    public static string Apart(string name) =>
        FileSystemSink.ResultStem(name + FileSystemSink.NameHash(name));

    private static string? RelativePathIn(string json)
    {
        try
        {
            using var stream = new FileStream(json, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            var head = new byte[HeadBytes];
            var length = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            var reader = new Utf8JsonReader(head.AsSpan(0, length), isFinalBlock: length < head.Length, default);
            while (reader.Read())
            {
                if (reader is { TokenType: JsonTokenType.PropertyName, CurrentDepth: 1 } && reader.ValueTextEquals("relative_path"))
                {
                    return reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            // Gone since the stat (then nothing is overwritten), or not a result of ours: not a clash of names.
            return null;
        }
    }
}
