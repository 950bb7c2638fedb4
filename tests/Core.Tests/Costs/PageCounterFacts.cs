using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using UglyToad.PdfPig.Writer;
using Presentation = DocumentFormat.OpenXml.Presentation;
using Spreadsheet = DocumentFormat.OpenXml.Spreadsheet;
using Wordprocessing = DocumentFormat.OpenXml.Wordprocessing;

namespace BatchOrchestrator.Core.Tests.Costs;

/// <summary>Pages as LlamaCloud is expected to bill them, counted from the documents themselves.</summary>
public sealed partial class PageCounterFacts
{
    [Fact]
    public void APdf_CountsItsPages()
    {
        var builder = new PdfDocumentBuilder();
        for (var i = 0; i < 3; i++)
        {
            builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
        }

        var count = Count(builder.Build(), ".pdf");

        Assert.Equal(new PageCount(3, "pdf", false), count);
    }

    [Fact]
    public void ACorruptPdf_GetsASizeEstimateAndTheReason_NeverAnException()
    {
        var bytes = new byte[120_000];
        new Random(7).NextBytes(bytes);
        "%PDF-1.7\n"u8.CopyTo(bytes);

        var count = Count(bytes, ".pdf");

        // 120,000 bytes as text, 3,000 a page: high rather than low, as a PDF our reader refuses may be one LlamaCloud reads.
        Assert.Equal(40, count.Pages);
        Assert.True(count.Estimated);
        Assert.StartsWith("size, 3000 bytes a page (errs high): pdf could not be read", count.Basis, StringComparison.Ordinal);
    }

    [Fact]
    public void AWordDocument_TakesItsPagesProperty_ElseItsTextLength()
    {
        Assert.Equal(new PageCount(7, "docx pages property", false), Count(Word("short text", pages: 7), ".docx"));
        var estimated = Count(Word(new string('x', 7_000), pages: null), ".docx");
        Assert.Equal(new PageCount(3, "docx text length", true), estimated);
    }

    [Fact]
    public void AWordDocumentWhosePagesPropertyIsStale_IsCountedByItsText_NeverBelowIt()
    {
        // A document made from a template (a mail merge, a generator) keeps the template's stored page count: one page
        // stored, 60,000 characters written. LlamaCloud renders and bills the 20 pages; the stored 1 would let a cap pass.
        var stale = Count(Word(new string('x', 60_000), pages: 1), ".docx");

        Assert.Equal(new PageCount(20, "docx text length, above its pages property (1)", true), stale);
    }

    [Fact]
    public void AWordDocumentWhoseBodyIsTooLargeToRead_KeepsItsPagesProperty()
    {
        var count = Count(Word(new string('a', (int)PageCounter.MaxPartCharacters + 1), pages: 900), ".docx");

        Assert.Equal((900, false), (count.Pages, count.Estimated));
        Assert.StartsWith("docx pages property; its text could not be read", count.Basis, StringComparison.Ordinal);
    }

    [Fact]
    public void AMultiPageTiff_CountsItsPages_AndOtherImagesOne()
    {
        Assert.Equal(new PageCount(5, "tiff pages", false), Count(Tiff(5, bigEndian: false), ".tiff"));
        Assert.Equal(new PageCount(3, "tiff pages", false), Count(Tiff(3, bigEndian: true), ".TIF"));
        Assert.Equal(new PageCount(1, "image", false), Count(new byte[5_000], ".png"));
    }

    [Fact]
    public void ATiffWhosePageChainLoopsOrBreaks_IsCountedAsFarAsItReads_NeverForEver()
    {
        var looping = Tiff(4, bigEndian: false);
        BitConverter.GetBytes(8u).CopyTo(looping, 8 + 2 + 12); // the first page's "next" points back at itself
        Assert.Equal(1, Count(looping, ".tif").Pages);

        var truncated = Tiff(4, bigEndian: false)[..30]; // the second page is cut off
        Assert.Equal(1, Count(truncated, ".tif").Pages);

        // Unreadable, a TIFF goes by its size, as it may be a fax of hundreds of pages: 70,000 bytes at 50,000 a page.
        var notATiff = Count(new byte[70_000], ".tiff");
        Assert.Equal((2, true), (notATiff.Pages, notATiff.Estimated));
        Assert.StartsWith("size, 50000 bytes a page: tiff could not be read", notATiff.Basis, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOpenDocumentText_IsCountedByItsStatistics_NotByItsCompressedSize()
    {
        // 30,000 characters of text compress to a few kilobytes: by its size on disk, one page; by its text, ten.
        var count = Count(Zip(("meta.xml", Meta(pages: 1, characters: 30_000)), ("content.xml", new string('x', 31_000))), ".odt");

        Assert.Equal(new PageCount(10, "odt character count", true), count);
        Assert.Equal(new PageCount(12, "odt page count", false), Count(Zip(("meta.xml", Meta(pages: 12, characters: 3_000))), ".odt"));
        Assert.Equal(new PageCount(4, "odt content size", true), Count(Zip(("content.xml", new string('x', 9_001))), ".odt"));
    }

    [Fact]
    public void AnOpenDocumentPresentation_CountsSlides_AndASpreadsheet_Sheets_AsTheirOfficeOpenXmlKin()
    {
        const string Ns = "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\"";
        var slides = $"<office:document-content {Ns}><office:body><office:presentation>"
            + string.Concat(Enumerable.Repeat("<draw:page><draw:frame/></draw:page>", 3)) + "</office:presentation></office:body></office:document-content>";
        // A table drawn on a sheet is not a sheet: only the body's own tables count.
        var sheets = $"<office:document-content {Ns}><office:body><office:spreadsheet>"
            + "<table:table><table:table-row/></table:table><table:table><draw:frame><table:table/></draw:frame></table:table>"
            + "</office:spreadsheet></office:body></office:document-content>";

        Assert.Equal(new PageCount(3, "odp slides", false), Count(Zip(("content.xml", slides)), ".odp"));
        Assert.Equal(new PageCount(2, "ods sheets", false), Count(Zip(("content.xml", sheets)), ".ods"));
        var damaged = Count(new byte[120_000], ".odp");
        Assert.Equal((40, true), (damaged.Pages, damaged.Estimated));
    }

    [Fact]
    public void AnRtf_IsCountedAsText_ItsMarkupErringHigh()
    {
        // 30 pages of text in 90 KB of RTF: by the 50,000 bytes a page of binary formats it was 2.
        var rtf = System.Text.Encoding.ASCII.GetBytes("{\\rtf1\\ansi " + new string('x', 90_000) + "}");

        Assert.Equal(new PageCount(31, "size, 3000 bytes a page", true), Count(rtf, ".rtf"));
    }

    [Fact]
    public void AnEpub_IsCountedByItsChaptersUnpacked_AndADamagedOneBySize()
    {
        var image = new byte[100_000];
        new Random(3).NextBytes(image);
        var epub = Zip(("mimetype", "application/epub+zip"), ("OEBPS/ch1.xhtml", new string('x', 9_000)), ("OEBPS/ch2.xhtml", new string('y', 9_000)));

        Assert.Equal(new PageCount(6, "epub chapters' size", true), Count(epub, ".epub"));
        var damaged = Count(image, ".epub");
        Assert.Equal(34, damaged.Pages);
        Assert.StartsWith("size, 3000 bytes a page (errs high): epub could not be read", damaged.Basis, StringComparison.Ordinal);
    }

    [Fact]
    public void APresentation_CountsSlides_AndAWorkbook_Sheets()
    {
        Assert.Equal(new PageCount(4, "pptx slides", false), Count(Slides(4), ".pptx"));
        Assert.Equal(new PageCount(2, "xlsx sheets", false), Count(Sheets(2), ".xlsx"));
    }

    [Fact]
    public void AWordDocumentOfPicturesWithoutAPagesProperty_IsEstimatedBySize_NotAsOnePage()
    {
        // Scans saved as Word by a generator: a caption of text, 600 KB of pictures, no stored page count.
        var pictures = Word("scan", pages: null, picture: 600_000);

        var count = Count(pictures, ".docx");

        Assert.Equal((PageCounter.PagesOf(pictures.Length, PageCounter.OtherBytesPerPage), true), (count.Pages, count.Estimated));
        Assert.True(count.Pages >= 12, $"{count.Pages} pages");
        Assert.StartsWith("size, 50000 bytes a page: docx states no page count", count.Basis, StringComparison.Ordinal);
    }

    [Fact]
    public void AnImageIsOnePage_TextGoesBySize_AndEverythingElseByALargerSize()
    {
        Assert.Equal(1, PageCounter.Estimate(9_000_000, ".png", null).Pages);
        Assert.Equal(4, PageCounter.Estimate(9_001, ".txt", null).Pages);
        Assert.Equal(1, PageCounter.Estimate(1, ".txt", null).Pages);
        Assert.Equal(2, PageCounter.Estimate(50_001, ".doc", null).Pages);
        Assert.True(PageCounter.Estimate(50_001, ".doc", null).Estimated);
    }

    [Fact]
    public void AWordDocumentThatUnpacksToMoreTextThanAPartMayHold_GetsTheSizeRule_NotItsTextCounted()
    {
        var bomb = Word(new string('a', (int)PageCounter.MaxPartCharacters + 1), pages: null); // a few kilobytes zipped
        Assert.True(bomb.Length < 1_000_000, $"{bomb.Length} bytes");

        var count = Count(bomb, ".docx");

        Assert.Equal(((bomb.Length + 2_999) / 3_000, true), (count.Pages, count.Estimated));
        Assert.StartsWith("size, 3000 bytes a page (errs high): docx could not be read", count.Basis, StringComparison.Ordinal);
        var ordinary = Count(Word(new string('a', 9_001), pages: null), ".docx");
        Assert.Equal((4, "docx text length"), (ordinary.Pages, ordinary.Basis));
    }

    private static PageCount Count(byte[] bytes, string extension)
    {
        using var stream = new MemoryStream(bytes);
        return PageCounter.Count(stream, extension);
    }

    private static byte[] Word(string text, int? pages, int picture = 0)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            main.Document = new Wordprocessing.Document(new Wordprocessing.Body(new Wordprocessing.Paragraph(new Wordprocessing.Run(new Wordprocessing.Text(text)))));
            if (picture > 0)
            {
                // Random bytes, as a photo's are: zipping keeps their size.
                using var image = new MemoryStream(System.Security.Cryptography.RandomNumberGenerator.GetBytes(picture));
                main.AddImagePart(DocumentFormat.OpenXml.Packaging.ImagePartType.Png).FeedData(image);
            }

            if (pages is { } count)
            {
                document.AddExtendedFilePropertiesPart().Properties = new DocumentFormat.OpenXml.ExtendedProperties.Properties(
                    new DocumentFormat.OpenXml.ExtendedProperties.Pages(count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return stream.ToArray();
    }

    private static byte[] Zip(params (string Name, string Text)[] entries)
    {
        using var stream = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Create))
        {
            foreach (var (name, text) in entries)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(text);
            }
        }

        return stream.ToArray();
    }

    private static string Meta(int pages, int characters) =>
        $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0">
          <office:meta><meta:document-statistic meta:page-count="{pages}" meta:character-count="{characters}"/></office:meta>
        </office:document-meta>
        """;

    /// <summary>A TIFF of <paramref name="pages"/> image file directories, one entry each, chained one after another.</summary>
    private static byte[] Tiff(int pages, bool bigEndian)
    {
        const int DirectorySize = 2 + 12 + 4;
        var bytes = new byte[8 + (pages * DirectorySize)];
        void Write16(int at, ushort value) => (bigEndian ? BitConverter.GetBytes(value).Reverse().ToArray() : BitConverter.GetBytes(value)).CopyTo(bytes, at);
        void Write32(int at, uint value) => (bigEndian ? BitConverter.GetBytes(value).Reverse().ToArray() : BitConverter.GetBytes(value)).CopyTo(bytes, at);
        (bigEndian ? "MM"u8 : "II"u8).CopyTo(bytes);
        Write16(2, 42);
        Write32(4, 8);
        for (var i = 0; i < pages; i++)
        {
            var at = 8 + (i * DirectorySize);
            Write16(at, 1);
            Write16(at + 2, 256); // ImageWidth
            Write16(at + 4, 3); // SHORT
            Write32(at + 6, 1);
            Write16(at + 10, 100);
            Write32(at + 14, i == pages - 1 ? 0u : (uint)(at + DirectorySize));
        }

        return bytes;
    }

    private static byte[] Slides(int count)
    {
        using var stream = new MemoryStream();
        using (var document = PresentationDocument.Create(stream, PresentationDocumentType.Presentation))
        {
            var part = document.AddPresentationPart();
            part.Presentation = new Presentation.Presentation(new Presentation.SlideIdList(
                Enumerable.Range(0, count).Select(i => new Presentation.SlideId { Id = (UInt32Value)(256u + (uint)i), RelationshipId = $"rId{i + 1}" })));
        }

        return stream.ToArray();
    }

    private static byte[] Sheets(int count)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var part = document.AddWorkbookPart();
            part.Workbook = new Spreadsheet.Workbook(new Spreadsheet.Sheets(
                Enumerable.Range(0, count).Select(i => new Spreadsheet.Sheet { Id = $"rId{i + 1}", SheetId = (UInt32Value)(uint)(i + 1), Name = $"S{i}" })));
        }

        return stream.ToArray();
    }
}
