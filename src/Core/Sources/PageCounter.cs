using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// How many pages LlamaCloud will bill for a document, counted locally (docs/costs.md, "Pages"): a PDF's
/// page count (<see cref="PdfPages"/>), a Word document's page count from its extended properties or its text length at 3,000
/// characters a page, whichever is more, a presentation's slides, a workbook's sheets, a TIFF's pages
/// (<see cref="TiffPages"/>), an OpenDocument text's or an EPUB's text (<see cref="PackagePages"/>), what a legacy
/// Word document, presentation or workbook states of itself (<see cref="LegacyOfficePages"/>), one page for any
/// other image, and for anything else an estimate from the size:
/// 3,000 bytes a page for text, 50,000 for other formats.
/// A document that cannot be read as what its name says (corrupt, encrypted, or a variant our reader refuses and LlamaCloud
/// may not), or not within the time limit of its <see cref="PageReading"/>, is estimated as text with the reason
/// (<see cref="Unread"/>), never an exception. The Sandbox compiles this same file and bills by it, so what the Worker
/// estimates and what the Sandbox bills follow one rule.
/// </summary>
internal static class PageCounter
{
    /// <summary>Bytes of a text-like file taken as one page (about 50 lines of 60 characters).</summary>
    public const int TextBytesPerPage = 3_000;

    /// <summary>Characters of a Word document's text taken as one page when it does not say its page count.</summary>
    public const int WordCharactersPerPage = 3_000;

    /// <summary>Bytes of any other file taken as one page.</summary>
    public const int OtherBytesPerPage = 50_000;

    /// <summary>
    /// Characters of XML an Open XML part may unpack to before it is given up for the size estimate. A document is a zip:
    /// a few kilobytes on disk can unpack to gigabytes (a zip bomb, or a damaged file), and every scan of its source
    /// counts its pages again. 16 million characters is several thousand pages of ordinary text; beyond it the Open XML
    /// SDK stops reading (<see cref="OpenSettings.MaxCharactersInPart"/>) and the file gets the size rule.
    /// </summary>
    public const long MaxPartCharacters = 16_000_000;

    private static readonly OpenSettings Bounded = new() { MaxCharactersInPart = MaxPartCharacters };

    private static readonly HashSet<string> Opened = new(StringComparer.OrdinalIgnoreCase) { ".pdf", ".docx", ".pptx", ".xlsx", ".tif", ".tiff", ".odt", ".odp", ".ods", ".epub", ".doc", ".ppt", ".xls" };

    private static readonly HashSet<string> Images = new(StringComparer.OrdinalIgnoreCase)
    {
        ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic",
    };

    private static readonly HashSet<string> Texts = new(StringComparer.OrdinalIgnoreCase)
    {
        ".txt", ".text", ".md", ".markdown", ".csv", ".tsv", ".json", ".xml", ".html", ".htm", ".log", ".yaml", ".yml", ".ini", ".rst", ".tex",
        ".rtf", // its markup counts as text: an estimate that errs high, where 50,000 bytes a page was a tenth of its pages
    };

    /// <summary>
    /// Counts the pages of the file at <paramref name="path"/> (its extension says what it is); only documents with a page
    /// structure are opened, each through <paramref name="reading"/> (its time limit; <see cref="PageReading.Default"/> when null).
    /// </summary>
    public static PageCount Count(string path, PageReading? reading = null)
    {
        var extension = Path.GetExtension(path);
        if (!Opened.Contains(extension))
        {
            return Estimate(new FileInfo(path) is { Exists: true } file ? file.Length : 0, extension, null);
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.RandomAccess);
            return Count(stream, extension, reading);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var size = new FileInfo(path) is { Exists: true } info ? info.Length : 0;
            return Unread(size, extension, $"could not be opened ({ex.Message})");
        }
    }

    /// <summary>Counts the pages of a document held in a seekable stream, read through <paramref name="reading"/> (<see cref="PageReading.Default"/> when null).</summary>
    public static PageCount Count(Stream content, string extension, PageReading? reading = null)
    {
        var size = content.Length;
        if (!Opened.Contains(extension))
        {
            return Estimate(size, extension, null);
        }

        try
        {
            return (reading ?? PageReading.Default).Read(() => CountOpened(content, extension));
        }
        catch (PageReadingException ex) when (ex.NotOpened)
        {
            return Unread(size, extension, $"{extension.TrimStart('.')} not counted ({ex.Message})") with { NotOpened = true };
        }
        catch (PageReadingException ex)
        {
            return Unread(size, extension, $"{extension.TrimStart('.')} not counted ({ex.Message})");
        }
        catch (Exception ex)
        {
            // PdfPig and the Open XML SDK throw many kinds for damaged, encrypted or mislabelled files; an
            // OutOfMemoryException here is an allocation this document asked for (a length it claims, a stream it unpacks).
            return Unread(size, extension, $"{extension.TrimStart('.')} could not be read ({ex.GetType().Name}: {ex.Message})");
        }
    }

    /// <summary>
    /// A document whose reading failed, or that was not read at all: nothing is known of it, and its estimate is kept for
    /// good (pages are counted once per content). The size rule for other formats is about a tenth of a text PDF's pages,
    /// so a cap would let its batch bill far above it when LlamaCloud reads what our reader could not; it is estimated as
    /// text instead, high rather than low (docs/costs.md, "Pages"). An image stays one page, but for a TIFF, which may hold
    /// a fax's hundreds: it goes by the size rule for other formats (a fax page is tens of kilobytes).
    /// </summary>
    private static PageCount Unread(long size, string extension, string reason) =>
        extension.ToLowerInvariant() is ".tif" or ".tiff"
        ? new PageCount(PagesOf(size, OtherBytesPerPage), $"size, {OtherBytesPerPage} bytes a page: {Truncate(reason)}", true) { Failed = true }
        : Images.Contains(extension)
        ? Estimate(size, extension, reason) with { Failed = true }
        : new PageCount(PagesOf(size, TextBytesPerPage), $"size, {TextBytesPerPage} bytes a page (errs high): {Truncate(reason)}", true) { Failed = true };

    private static PageCount CountOpened(Stream content, string extension)
    {
        switch (extension.ToLowerInvariant())
        {
            case ".pdf":
                return new PageCount(PdfPages.Count(content), "pdf", false);

            case ".docx":
                using (var word = WordprocessingDocument.Open(content, false, Bounded))
                {
                    return Word(word, content.Length);
                }

            case ".tif" or ".tiff":
                return new PageCount(TiffPages.Count(content), "tiff pages", false);

            case ".odt":
                return PackagePages.OpenDocumentText(content);

            case ".odp" or ".ods":
                return PackagePages.OpenDocumentParts(content, extension);

            case ".epub":
                return PackagePages.Epub(content);

            case ".doc" or ".ppt" or ".xls":
                return LegacyOfficePages.Count(content, extension);

            case ".pptx":
                using (var slides = PresentationDocument.Open(content, false, Bounded))
                {
                    return new PageCount(Math.Max(1, ShallowParts.Listed(slides.PresentationPart, "sldIdLst", "sldId")), "pptx slides", false);
                }

            case ".xlsx":
                using (var workbook = SpreadsheetDocument.Open(content, false, Bounded))
                {
                    return new PageCount(Math.Max(1, ShallowParts.Listed(workbook.WorkbookPart, "sheets", "sheet")), "xlsx sheets", false);
                }

            default:
                return Estimate(content.Length, extension, null);
        }
    }

    /// <summary>
    /// A Word document's pages: its stored page count, unless its text needs more. The stored count is Word's last
    /// layout, and a document made from a template by another program (a mail merge, a report generator) keeps the
    /// template's: one page stored over sixty written, an estimate a twentieth of what LlamaCloud bills. A body too large
    /// to read leaves the stored count. With no stored count, a document of pictures (scans saved as Word) has little
    /// text: the size rule is its floor, as for a legacy .doc.
    /// </summary>
    private static PageCount Word(WordprocessingDocument word, long size)
    {
        int? stored = int.TryParse(ShallowParts.Text(word.ExtendedFilePropertiesPart, "Pages"), NumberStyles.None, CultureInfo.InvariantCulture, out var pages) && pages > 0
            ? pages
            : null;
        long characters;
        try
        {
            characters = TextLength(word.MainDocumentPart);
        }
        catch (Exception ex) when (stored is not null && ex is not OutOfMemoryException)
        {
            return new PageCount(stored.Value, $"docx pages property; its text could not be read ({Truncate($"{ex.GetType().Name}: {ex.Message}")})", false);
        }

        var byText = PagesOf(characters, WordCharactersPerPage);
        return stored switch
        {
            { } count when count >= byText => new PageCount(count, "docx pages property", false),
            { } count => new PageCount(byText, string.Create(CultureInfo.InvariantCulture, $"docx text length, above its pages property ({count})"), true),
            null when byText >= PagesOf(size, OtherBytesPerPage) => new PageCount(byText, "docx text length", true),
            null => Estimate(size, ".docx", "docx states no page count, and its text is shorter"),
        };
    }

    /// <summary>
    /// The length of the text in a Word document's body, read as a stream of elements rather than loaded as a tree: the
    /// memory it takes does not grow with the document.
    /// </summary>
    private static long TextLength(MainDocumentPart? main)
    {
        if (main is null)
        {
            return 0;
        }

        var characters = 0L;
        using var reader = OpenXmlReader.Create(main);
        while (reader.Read())
        {
            if (reader.IsStartElement && reader.ElementType == typeof(DocumentFormat.OpenXml.Wordprocessing.Text))
            {
                characters += reader.GetText().Length;
            }
        }

        return characters;
    }

    /// <summary>The size rule alone: for files never opened (a version counted before pages were, a plan).</summary>
    public static PageCount Estimate(long size, string extension, string? reason)
    {
        if (Images.Contains(extension))
        {
            return new PageCount(1, reason is null ? "image" : $"image: {Truncate(reason)}", reason is not null);
        }

        var text = Texts.Contains(extension);
        var pages = PagesOf(size, text ? TextBytesPerPage : OtherBytesPerPage);
        var rule = text ? $"size, {TextBytesPerPage} bytes a page" : $"size, {OtherBytesPerPage} bytes a page";
        return new PageCount(pages, reason is null ? rule : $"{rule}: {Truncate(reason)}", true);
    }

    /// <summary>Pages of <paramref name="amount"/> characters or bytes at <paramref name="perPage"/> a page, at least one.</summary>
    internal static int PagesOf(long amount, int perPage) => (int)Math.Clamp((amount + perPage - 1) / perPage, 1, int.MaxValue);

    private static string Truncate(string reason) => reason.Length <= 200 ? reason : reason[..200];
}

/// <summary>Pages of one document, how they were found, and whether that is an estimate rather than a count.</summary>
internal readonly record struct PageCount(int Pages, string Basis, bool Estimated)
{
    /// <summary>Its reading failed (the document could not be read, or not in time): the size rule stands in, and the scan warns.</summary>
    public bool Failed { get; init; }

    /// <summary>It was not opened because no reader was free: estimated high, and the scan warns once for all such files.</summary>
    public bool NotOpened { get; init; }
}
