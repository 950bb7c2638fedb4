using System.Globalization;
using System.IO.Compression;
using System.Xml;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Pages of zipped documents other than Office Open XML (docs/costs.md, "Pages"): an OpenDocument text's, presentation's
/// and spreadsheet's, and an EPUB's.
/// By their size on disk (the rule for files not opened) they were a few pages for hundreds: a novel's EPUB is 400 KB,
/// its compressed text one fortieth of what LlamaCloud renders and bills. Only the zip's directory and, for an
/// OpenDocument, its small meta.xml are read. Compiled into the Sandbox with <see cref="PageCounter"/>.
/// </summary>
internal static class PackagePages
{
    // A meta.xml holds a few hundred bytes of statistics; one that says it is larger is not read, and one that unpacks to
    // more than it says stops there (a zip bomb, a damaged file).
    private const long MaxMetaBytes = 1_000_000;

    private const string MetaNamespace = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0";
    private const string OfficeNamespace = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
    private const string DrawNamespace = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0";
    private const string TableNamespace = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";

    /// <summary>
    /// An OpenDocument text (<c>.odt</c>): the page count its meta.xml states or its character count at
    /// <see cref="PageCounter.WordCharactersPerPage"/>, whichever is more (the stored count, as Word's, is the last
    /// layout of whatever program wrote it); without statistics, the size of its content.xml, markup and all, as text.
    /// </summary>
    public static PageCount OpenDocumentText(Stream content)
    {
        using var zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
        var (pages, characters) = Statistics(zip.GetEntry("meta.xml"));
        if (pages is null && characters is null)
        {
            var body = zip.GetEntry("content.xml") ?? throw new InvalidDataException("no content.xml");
            return new PageCount(PageCounter.PagesOf(body.Length, PageCounter.TextBytesPerPage), "odt content size", true);
        }

        var byText = PageCounter.PagesOf(characters ?? 0, PageCounter.WordCharactersPerPage);
        return pages is { } stored && stored >= byText
            ? new PageCount(stored, "odt page count", false)
            : new PageCount(byText, "odt character count", true);
    }

    /// <summary>
    /// An OpenDocument presentation's slides (<c>.odp</c>) or spreadsheet's sheets (<c>.ods</c>), as a <c>.pptx</c>'s and an
    /// <c>.xlsx</c>'s are counted: the pages or tables directly under the body in content.xml, read as a stream of elements
    /// and at most <see cref="PageCounter.MaxPartCharacters"/> characters of it (past that the file gets the size rule).
    /// </summary>
    public static PageCount OpenDocumentParts(Stream content, string extension)
    {
        var (body, part, basis) = extension.Equals(".odp", StringComparison.OrdinalIgnoreCase)
            ? ("presentation", (Name: "page", Namespace: DrawNamespace), "odp slides")
            : ("spreadsheet", (Name: "table", Namespace: TableNamespace), "ods sheets");
        using var zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
        var entry = zip.GetEntry("content.xml") ?? throw new InvalidDataException("no content.xml");
        using var stream = entry.Open();
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = PageCounter.MaxPartCharacters });
        var bodyDepth = -1;
        var count = 0;
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            if (bodyDepth < 0 && reader.LocalName == body && reader.NamespaceURI == OfficeNamespace)
            {
                bodyDepth = reader.Depth;
            }
            else if (bodyDepth >= 0 && reader.Depth == bodyDepth + 1 && reader.LocalName == part.Name && reader.NamespaceURI == part.Namespace)
            {
                count++;
            }
        }

        return new PageCount(Math.Max(1, count), basis, false);
    }

    /// <summary>An EPUB: the unpacked size of its (X)HTML chapters, markup and all, as text (an estimate that errs high).</summary>
    public static PageCount Epub(Stream content)
    {
        using var zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
        var chapters = zip.Entries
            .Where(e => e.FullName.EndsWith(".xhtml", StringComparison.OrdinalIgnoreCase)
                || e.FullName.EndsWith(".html", StringComparison.OrdinalIgnoreCase)
                || e.FullName.EndsWith(".htm", StringComparison.OrdinalIgnoreCase))
            .Sum(e => e.Length);
        return new PageCount(PageCounter.PagesOf(chapters, PageCounter.TextBytesPerPage), "epub chapters' size", true);
    }

    private static (int? Pages, long? Characters) Statistics(ZipArchiveEntry? meta)
    {
        if (meta is null || meta.Length > MaxMetaBytes)
        {
            return (null, null);
        }

        using var stream = meta.Open();
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = MaxMetaBytes });
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "document-statistic" && reader.NamespaceURI == MetaNamespace)
            {
                return (Number(reader.GetAttribute("page-count", MetaNamespace)) is { } p and > 0 ? (int)Math.Min(p, int.MaxValue) : null,
                        Number(reader.GetAttribute("character-count", MetaNamespace)));
            }
        }

        return (null, null);
    }

    private static long? Number(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
