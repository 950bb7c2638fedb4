using System.Buffers.Binary;
using System.Globalization;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Pages of legacy binary Office files (docs/costs.md, "Pages"), read from what each states about itself inside its
/// compound file (<see cref="CompoundFile"/>, formats in docs/legacy-office.md). By the size rule they were a fraction of
/// their pages: a ten-page Word 97 document of 60 KB was two. Nothing else is opened: no text, no layout.
/// <list type="bullet">
/// <item>A Word document (<c>.doc</c>): the page count its SummaryInformation states, or its main text's length (the
/// FIB's ccpText) at <see cref="PageCounter.WordCharactersPerPage"/>, whichever is more, as a <c>.docx</c>'s. When it
/// states no count, never less than the size rule either: a document full of pictures has little text.</item>
/// <item>A presentation (<c>.ppt</c>): the slide count its DocumentSummaryInformation states, else its slides counted in
/// its current DocumentContainer (<see cref="PowerPointSlides"/>): LibreOffice states no count, and by the size rule
/// four slides in 17 KB were one page.</item>
/// <item>A workbook (<c>.xls</c>): its sheets, one BoundSheet record each in the globals of its Workbook stream (Book,
/// before Excel 97). Chosen over DocumentSummaryInformation's heading pairs: those name their groups in the writing
/// program's language ("Worksheets", "Arbeitsblätter"), and not every program writes them (LibreOffice does not); the
/// records every writer writes, since no reader finds a sheet without its record.</item>
/// </list>
/// A <c>.doc</c> that states no count and has little text gets the size rule with the reason; a damaged file throws
/// <see cref="InvalidDataException"/>, which <see cref="PageCounter"/> turns into the size rule as for every format.
/// Compiled into the Sandbox with <see cref="PageCounter"/>.
/// </summary>
internal static class LegacyOfficePages
{
    /// <summary>Bytes of a property set stream read: its thumbnail can take hundreds of kilobytes before the counts.</summary>
    private const int MaxPropertyBytes = 1 << 20;

    /// <summary>Bytes of a Workbook stream read for its sheets: its fonts and cell styles come before them.</summary>
    private const int MaxWorkbookBytes = 4 << 20;

    private const int FibBytes = 80;

    /// <summary>Counts a <c>.doc</c>, <c>.ppt</c> or <c>.xls</c>.</summary>
    public static PageCount Count(Stream content, string extension)
    {
        var file = CompoundFile.Open(content);
        return extension.ToLowerInvariant() switch
        {
            ".doc" => Word(file, content.Length),
            ".ppt" => OlePropertySet.Integer(file.Read("\u0005DocumentSummaryInformation", MaxPropertyBytes), OlePropertySet.DocumentSummaryInformation, 7) is > 0 and var slides
                ? new PageCount(slides, "ppt slide count", false)
                : new PageCount(PowerPointSlides.Count(file), "ppt slides", false),
            ".xls" => Sheets(file),
            _ => throw new ArgumentException($"{extension} is no legacy Office file", nameof(extension)),
        };
    }

    private static PageCount Word(CompoundFile file, long size)
    {
        var stated = OlePropertySet.Integer(file.Read("\u0005SummaryInformation", MaxPropertyBytes), OlePropertySet.SummaryInformation, 14) is > 0 and var pages
            ? pages
            : (int?)null;
        var characters = TextLength(file.Read("WordDocument", FibBytes));
        if (characters is null)
        {
            return stated is { } count
                ? new PageCount(count, "doc page count", false)
                : PageCounter.Estimate(size, ".doc", "doc states no page count");
        }

        var byText = PageCounter.PagesOf(characters.Value, PageCounter.WordCharactersPerPage);
        return stated switch
        {
            { } count when count >= byText => new PageCount(count, "doc page count", false),
            { } count => new PageCount(byText, string.Create(CultureInfo.InvariantCulture, $"doc text length, above its page count ({count})"), true),
            null when byText >= PageCounter.PagesOf(size, PageCounter.OtherBytesPerPage) => new PageCount(byText, "doc text length", true),
            null => PageCounter.Estimate(size, ".doc", "doc states no page count, and its text is shorter"),
        };
    }

    /// <summary>
    /// The characters of a Word document's main text (ccpText), from a Word 97 or later FIB that is not encrypted; null
    /// otherwise (an older FIB keeps its counts elsewhere).
    /// </summary>
    private static long? TextLength(byte[]? fib)
    {
        if (fib is null || fib.Length < FibBytes || CompoundFile.U16(fib, 0) != 0xA5EC)
        {
            return null;
        }

        var encrypted = (CompoundFile.U16(fib, 10) & 0x0100) != 0;
        if (CompoundFile.U16(fib, 2) < 0x00C1 || encrypted || CompoundFile.U16(fib, 32) != 14 || CompoundFile.U16(fib, 62) < 22)
        {
            return null;
        }

        var characters = BinaryPrimitives.ReadInt32LittleEndian(fib.AsSpan(76));
        return characters >= 0 ? characters : null;
    }

    /// <summary>The BoundSheet records of a workbook's globals: every sheet is listed there, before its EOF record.</summary>
    private static PageCount Sheets(CompoundFile file)
    {
        var workbook = file.Read("Workbook", MaxWorkbookBytes) ?? file.Read("Book", MaxWorkbookBytes) ?? throw new InvalidDataException("no Workbook stream");
        if (workbook.Length < 4 || CompoundFile.U16(workbook, 0) != 0x0809)
        {
            throw new InvalidDataException("a Workbook stream that does not begin with a BIFF BOF record");
        }

        var sheets = 0;
        for (var at = 0; at <= workbook.Length - 4; at += 4 + CompoundFile.U16(workbook, at + 2))
        {
            switch (CompoundFile.U16(workbook, at))
            {
                case 0x0085: // BoundSheet
                    sheets++;
                    break;
                case 0x000A: // EOF: the end of the globals
                    return sheets > 0 ? new PageCount(sheets, "xls sheets", false) : throw new InvalidDataException("a workbook that lists no sheets");
            }
        }

        throw new InvalidDataException(workbook.Length == MaxWorkbookBytes
            ? $"the workbook's globals run past the first {MaxWorkbookBytes} bytes"
            : "the workbook's globals are cut short");
    }
}
