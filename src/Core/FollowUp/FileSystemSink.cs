using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Hosting;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Mirrors each source's tree under its output folder: <c>a/b/report.pdf</c> gets
/// <c>a/b/report.pdf.md</c> (parse markdown) and <c>a/b/report.pdf.json</c> (the result with its
/// provenance). Each file is written to a hidden temporary file beside it, flushed to disk, then
/// renamed over the target, so a reader never sees half a result and a crash leaves the old one; every folder
/// whose entries changed is synced before the chunk returns, so what the database then records as delivered
/// survives a power cut. A name too long for its results' names (<see cref="ResultStem"/>) is shortened, the
/// same way every time; one whose results' name another file's results hold (<see cref="CaseClash"/>) is told apart.
/// </summary>
internal sealed class FileSystemSink(
    IOptionsMonitor<SourcesOptions> sources,
    IOptions<FileSystemSinkOptions> options,
    IHostEnvironment environment,
    IFolderSync folders,
    ILogger<FileSystemSink> logger)
    : IFollowUpSink
{
    // NAME_MAX on the file systems a service like this writes to (ext4, xfs, btrfs, tmpfs): bytes, not characters.
    private const int MaxNameBytes = 255;

    // The longer of the two suffixes a result's name gets.
    private const string LongestSuffix = ".json";

    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    public string Name => FollowUpOptions.FileSystemSink;

    public async Task WriteAsync(IReadOnlyList<FollowUpDocument> documents, CancellationToken cancellationToken)
    {
        foreach (var removed in documents.Where(d => !d.Superseded).Select(d => d.Source).Distinct().Where(s => sources.CurrentValue.Find(s) is null))
        {
            // Its batches were sent and billed: their results are kept, though its own OutputPath, if it had one, went with its
            // configuration (docs/operations.md, "A source removed while its batches are under way").
            logger.LogWarning(
                "Results of {Source}, a source no longer configured, are written under {Folder} (FollowUp:OutputPath/<source>); move them once it is back if it sets its own OutputPath",
                removed, RootOf(removed));
        }

        // Folders whose entries changed: a rename or removal is durable only once its folder is synced (IFolderSync).
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var document in documents.Where(d => !d.Superseded))
        {
            var target = TargetOf(document);
            var folder = Path.GetDirectoryName(target)!;
            var stem = ResultStem(Path.GetFileName(target));
            if (stem != Path.GetFileName(target))
            {
                logger.LogWarning(
                    "Results of {Path} are written as {Stem}.md and .json: '<name>.json' would pass the {Max} bytes a file name may have. The .json names the source file",
                    document.RelativePath, stem, MaxNameBytes);
            }

            if (CaseClash.HeldByAnother(Path.Combine(folder, stem + ".json"), document.RelativePath) is { } holder)
            {
                // An output share that does not tell case apart (CIFS, a Windows share) holds one file for Report.pdf.json and
                // report.pdf.json: writing would replace the other file's result, both recorded as delivered (docs/pipeline.md).
                stem = CaseClash.Apart(Path.GetFileName(target));
                logger.LogWarning(
                    "Results of {Path} are written as {Stem}.md and .json: the output folder holds the results of {Holder} under the same name, a name that differs only in case, and does not tell case apart",
                    document.RelativePath, stem, holder);
            }

            target = Path.Combine(folder, stem);
            CreateFolder(folder, changed);
            if (document.Markdown is not null)
            {
                await WriteAtomicallyAsync(target + ".md", Encoding.UTF8.GetBytes(document.Markdown), cancellationToken);
            }

            await WriteAtomicallyAsync(target + ".json", Envelope(document), cancellationToken);
            if (document.Markdown is null)
            {
                // A result without markdown (extract, classify, the fast tier) replaces one that had it: an earlier version's,
                // or this one's before a reprocess. Its .md would stand beside the new .json as if it were this result's.
                // Removed after the .json is in place, so a write that fails leaves the reference to be tried again.
                File.Delete(target + ".md");
            }

            changed.Add(folder);
        }

        // Before returning, so before the database records these results as delivered: each file was flushed before its
        // rename, and now the renames (and removals, and new folders) are made durable too. A sync that fails fails the
        // chunk, and the results are written again on the next attempt, from scratch.
        foreach (var folder in changed)
        {
            folders.Sync(folder);
        }
    }

    /// <summary>Creates a missing folder, and notes the folders whose entries changed: the parent of each folder made.</summary>
    private static void CreateFolder(string folder, HashSet<string> changed)
    {
        var missing = new List<string>();
        for (var f = folder; !Directory.Exists(f); f = Path.GetDirectoryName(f)!)
        {
            missing.Add(f);
        }

        if (missing.Count > 0)
        {
            Directory.CreateDirectory(folder);
            changed.UnionWith(missing.Select(m => Path.GetDirectoryName(m)!));
        }
    }

    /// <summary>The mirror root of a source: its own OutputPath, else FollowUp:OutputPath/&lt;source&gt;; relative to the content root.</summary>
    public string RootOf(string source) =>
        RootOf(sources.CurrentValue.Find(source) ?? new SourceOptions { Name = source }, options.Value.OutputPath, environment.ContentRootPath);

    /// <summary>The same for a source as configured, before the sink exists (for the checks of start-up).</summary>
    public static string RootOf(SourceOptions source, string outputPath, string contentRoot) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(source.OutputPath) ? Path.Combine(outputPath, source.Name) : source.OutputPath, contentRoot);

    private string TargetOf(FollowUpDocument document)
    {
        var root = RootOf(document.Source);
        var target = Path.GetFullPath(document.RelativePath, root);
        if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"'{document.RelativePath}' would be written outside the output folder '{root}'");
        }

        return target;
    }

    /// <summary>
    /// The name the results of <paramref name="name"/> are written under: the name itself, or, when
    /// <c>&lt;name&gt;.json</c> would pass <see cref="MaxNameBytes"/> (a source name of 251 to 255 bytes is legal), its
    /// first bytes (whole characters) followed by <c>~</c> and 16 hex digits of the full name's SHA-256. The
    /// same name always gives the same stem, so a rerun overwrites its results; two names that share their
    /// first bytes differ in the hash.
    /// </summary>
    /// <summary><c>~</c> and 16 hex digits of <paramref name="name"/>'s SHA-256: what tells two stems apart.</summary>
    internal static string NameHash(string name) => "~" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16];

    internal static string ResultStem(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) + LongestSuffix.Length <= MaxNameBytes)
        {
            return name;
        }

        var hash = NameHash(name);
        var budget = MaxNameBytes - LongestSuffix.Length - hash.Length;
        var kept = new StringBuilder();
        var bytes = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > budget)
            {
                break;
            }

            kept.Append(rune.ToString());
            bytes += rune.Utf8SequenceLength;
        }

        return kept + hash;
    }

    private static async Task WriteAtomicallyAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        // A short name of its own, not the target's with a suffix: a target name near the limit must still have one. One per
        // target, not one per write: a write cut short by a kill leaves its temporary file behind, and the target's next write
        // (the delivery, made again after the restart) removes it and writes its own, rather than leave one more hidden partial
        // file in the output at each kill. FileShare.None locks it (flock on Linux): two writers of one target, which the
        // result-path locks keep apart, would not share it; the second fails and its delivery is offered again. Removed first,
        // then made anew (O_EXCL): opened as it is, a link planted under that name would have the write land where it points.
        var temporary = TemporaryFor(path);
        File.Delete(temporary);
        var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
        try
        {
            await using (stream)
            {
                await stream.WriteAsync(content, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>The temporary file a write of <paramref name="path"/> goes through, beside it: hidden, and the same for every write of it.</summary>
    internal static string TemporaryFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".bo{NameHash(Path.GetFileName(path))}.tmp");

    private static byte[] Envelope(FollowUpDocument document)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Indented))
        {
            writer.WriteStartObject();
            writer.WriteString("source", document.Source);
            writer.WriteString("relative_path", document.RelativePath);
            writer.WriteNumber("file_version_id", document.FileVersionId);
            writer.WriteNumber("batch_id", document.BatchId);
            writer.WriteString("job_type", document.JobType);
            writer.WriteString("job_id", document.JobId);
            writer.WriteString("fetched_at", document.FetchedAt);
            if (document.SameContentAs is not null)
            {
                writer.WriteString("same_content_as", document.SameContentAs);
            }

            if (document.FailedPages.Count > 0)
            {
                // The .md holds what parsed; this says it is not the whole document (docs/pipeline.md).
                writer.WriteStartObject("partial");
                writer.WriteStartArray("failed_pages");
                foreach (var page in document.FailedPages)
                {
                    writer.WriteNumberValue(page);
                }

                writer.WriteEndArray();
                writer.WriteString("first_error", document.FailedPageError);
                writer.WriteEndObject();
            }

            if (document.Text is not null)
            {
                writer.WriteString("text", document.Text);
            }

            writer.WritePropertyName("result");
            writer.WriteRawValue(document.ResultJson);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
