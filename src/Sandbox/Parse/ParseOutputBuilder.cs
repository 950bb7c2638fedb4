using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>
/// Derives parse output from the uploaded bytes: text-like files become text and markdown pages
/// (split on form feeds, else every N lines); anything else gets a deterministic page-structured
/// result (a PDF's page count is read from its page objects, any other document's is the one it is billed by).
/// </summary>
internal static class ParseOutputBuilder
{
    private static readonly HashSet<string> TextExtensions = new(StringComparer.Ordinal)
    {
        ".txt", ".text", ".md", ".markdown", ".csv", ".tsv", ".json", ".xml", ".html", ".htm", ".log", ".yaml", ".yml", ".ini", ".rst", ".tex",
    };

    private static readonly HashSet<string> BinaryExtensions = new(StringComparer.Ordinal)
    {
        ".pdf", ".docx", ".doc", ".pptx", ".ppt", ".xlsx", ".xls", ".png", ".jpg", ".jpeg", ".gif", ".tiff", ".bmp", ".odt", ".rtf", ".epub",
    };

    public static ParseOutput Build(StoredContent content, int linesPerPage)
        => IsText(content) ? FromText(content, linesPerPage) : FromBinary(content);

    private static bool IsText(StoredContent content)
    {
        if (TextExtensions.Contains(content.Extension))
        {
            return true;
        }

        if (BinaryExtensions.Contains(content.Extension))
        {
            return false;
        }

        var head = content.Bytes.AsSpan(0, Math.Min(content.Bytes.Length, 8192));
        return !head.Contains((byte)0) && System.Text.Unicode.Utf8.IsValid(head);
    }

    private static ParseOutput FromText(StoredContent content, int linesPerPage)
    {
        var text = Encoding.UTF8.GetString(content.Bytes).Replace("\r\n", "\n", StringComparison.Ordinal).TrimStart('\uFEFF');
        var chunks = text.Contains('\f', StringComparison.Ordinal)
            ? text.Split('\f')
            : text.Split('\n').Chunk(Math.Max(1, linesPerPage)).Select(lines => string.Join('\n', lines)).ToArray();
        var pages = new List<ParsedPage>();
        foreach (var chunk in chunks.Select(c => c.Trim('\n')).DefaultIfEmpty(string.Empty))
        {
            var number = pages.Count + 1;
            if (content.Extension is ".csv" or ".tsv")
            {
                var rows = Rows(chunk, content.Extension == ".tsv" ? '\t' : ',');
                var table = MarkdownTable(rows);
                var item = new ItemDto("table", null, table, null, [new BoxDto(72, 72, 468, 14.0 * rows.Count)])
                {
                    Rows = rows,
                    Csv = string.Join('\n', rows.Select(r => string.Join(',', r))),
                    Html = "<table>" + string.Concat(rows.Select(r => "<tr>" + string.Concat(r.Select(c => $"<td>{c}</td>")) + "</tr>")) + "</table>",
                };
                pages.Add(new ParsedPage(number, chunk, table, [item]));
                continue;
            }

            pages.Add(new ParsedPage(number, chunk, chunk, ItemsFor(chunk)));
        }

        return new ParseOutput(pages, FromText: true);
    }

    private static ParseOutput FromBinary(StoredContent content)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(content.Bytes))[..16];
        var count = content.Extension == ".pdf" ? PdfPageCount(content.Bytes) : 0;
        if (count == 0)
        {
            // As many pages as the Sandbox bills (SandboxBilling: PageCounter, the Worker's own estimate), so that a
            // result's pages and its charge agree, as they do at LlamaCloud; at most 50, to keep a response small.
            using var stream = new MemoryStream(content.Bytes, writable: false);
            count = Math.Clamp(PageCounter.Count(stream, content.Extension).Pages, 1, 50);
        }

        var pages = new List<ParsedPage>();
        for (var n = 1; n <= count; n++)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"{content.FileName}\nPage {n} of {count}\nSimulated content for a {content.Bytes.LongLength}-byte document (sha256 {hash}).");
            var markdown = string.Create(CultureInfo.InvariantCulture, $"# {content.FileName}\n\n## Page {n} of {count}\n\nSimulated content for a {content.Bytes.LongLength}-byte document (sha256 {hash}).");
            pages.Add(new ParsedPage(n, text, markdown, ItemsFor(markdown)));
        }

        return new ParseOutput(pages, FromText: false);
    }

    /// <summary>Counts "/Type /Page" objects (not "/Pages"), the way a PDF declares its pages.</summary>
    private static int PdfPageCount(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var count = 0;
        var index = 0;
        while ((index = text.IndexOf("/Type", index, StringComparison.Ordinal)) >= 0)
        {
            index += 5;
            var rest = text.AsSpan(index).TrimStart(" /\r\n\t");
            if (rest.StartsWith("Page", StringComparison.Ordinal) && !rest.StartsWith("Pages", StringComparison.Ordinal))
            {
                count++;
            }
        }

        return Math.Min(count, 2000);
    }

    private static List<IReadOnlyList<string>> Rows(string chunk, char separator)
        => [.. chunk.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => (IReadOnlyList<string>)line.Split(separator))];

    private static string MarkdownTable(List<IReadOnlyList<string>> rows)
    {
        if (rows.Count == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        builder.Append("| ").AppendJoin(" | ", rows[0]).Append(" |\n|");
        builder.Append(string.Concat(Enumerable.Repeat(" --- |", rows[0].Count)));
        foreach (var row in rows.Skip(1))
        {
            builder.Append("\n| ").AppendJoin(" | ", row).Append(" |");
        }

        return builder.ToString();
    }

    private static List<ItemDto> ItemsFor(string markdown)
    {
        var blocks = markdown.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var items = new List<ItemDto>();
        var y = 72.0;
        foreach (var block in blocks)
        {
            var lines = block.Split('\n').Length;
            var bbox = new[] { new BoxDto(72, y, 468, 14.0 * lines) };
            y += (14.0 * lines) + 10;
            if (block.StartsWith('#'))
            {
                var level = block.TakeWhile(c => c == '#').Count();
                items.Add(new ItemDto("heading", block.TrimStart('#', ' '), block, Math.Min(level, 6), bbox));
            }
            else
            {
                items.Add(new ItemDto("text", block, block, null, bbox));
            }
        }

        return items;
    }
}
