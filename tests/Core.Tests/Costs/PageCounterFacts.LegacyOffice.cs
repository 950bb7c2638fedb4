using System.Buffers.Binary;

namespace BatchOrchestrator.Core.Tests.Costs;

/// <summary>
/// Legacy binary Office files (.doc, .ppt, .xls) counted by what they state inside their compound file: real files
/// made by LibreOffice (and libgsf for the summaries LibreOffice leaves out), described in LegacyOffice/README.md.
/// </summary>
public sealed partial class PageCounterFacts
{
    [Fact]
    public void AWordDocument_TakesThePageCountItsSummaryStates_WhereTheSizeRuleSaidOne()
    {
        var bytes = Legacy("ten-pages-stated.doc");

        Assert.Equal(new PageCount(10, "doc page count", false), Count(bytes, ".doc"));
        Assert.Equal(1, PageCounter.Estimate(bytes.Length, ".doc", null).Pages);
    }

    [Fact]
    public void AWordDocumentWhoseTextNeedsMoreThanItsPageCount_IsCountedByItsText()
    {
        // The FIB's ccpText: 60,000 characters of main text are 20 pages, above the 10 the summary states.
        var count = Count(WithTextLength(Legacy("ten-pages-stated.doc"), 60_000), ".doc");

        Assert.Equal(new PageCount(20, "doc text length, above its page count (10)", true), count);
    }

    [Fact]
    public void AWordDocumentThatStatesNoPageCount_IsCountedByItsTextOrItsSize_WhicheverIsMore()
    {
        // LibreOffice writes no page count: its 531 characters are one page, as are its 10,240 bytes.
        Assert.Equal(new PageCount(1, "doc text length", true), Count(Legacy("ten-pages.doc"), ".doc"));
        Assert.Equal(new PageCount(10, "doc text length", true), Count(WithTextLength(Legacy("ten-pages.doc"), 30_000), ".doc"));
    }

    [Fact]
    public void AWorkbook_CountsItsSheets_WithSectorsOfEitherSize_AndAllocationTablesBeyondTheHeader()
    {
        Assert.Equal(new PageCount(3, "xls sheets", false), Count(Legacy("three-sheets.xls"), ".xls"));
        Assert.Equal(new PageCount(3, "xls sheets", false), Count(Legacy("three-sheets-4096.xls"), ".xls"));

        // A workbook stream past the 109 allocation table sectors the header lists: the 110th is named in a DIFAT sector.
        Assert.Equal(new PageCount(2, "xls sheets", false), Count(FarWorkbook(sheets: 2), ".xls"));
    }

    [Fact]
    public void ADamagedOrMislabelledLegacyFile_GetsTheSizeRuleAndTheReason_NeverAnException()
    {
        var text = Encoding.ASCII.GetBytes(new string('x', 120_000));
        AssertSizeRule(Count(text, ".doc"), text, "doc could not be read (InvalidDataException: no compound file signature)");
        var cut = Legacy("ten-pages-stated.doc")[..2_048];
        AssertSizeRule(Count(cut, ".doc"), cut, "doc could not be read");

        var looping = Legacy("ten-pages-stated.doc");
        var (sector, entry) = DirectorySector(looping);
        BinaryPrimitives.WriteUInt32LittleEndian(looping.AsSpan(entry), (uint)sector); // the directory's first sector is followed by itself
        AssertSizeRule(Count(looping, ".doc"), looping, "doc could not be read (InvalidDataException: a sector chain loops)");

        var outside = Legacy("ten-pages-stated.doc");
        BinaryPrimitives.WriteUInt32LittleEndian(outside.AsSpan(entry), 0x00FF_FFFF);
        AssertSizeRule(Count(outside, ".doc"), outside, "doc could not be read (InvalidDataException: sector 16777215 is outside the allocation table)");

        var tableCount = Legacy("three-sheets.xls");
        BinaryPrimitives.WriteUInt32LittleEndian(tableCount.AsSpan(44), uint.MaxValue);
        AssertSizeRule(Count(tableCount, ".xls"), tableCount, "xls could not be read (InvalidDataException: 4294967295 allocation table sectors");

        var far = FarWorkbook(sheets: 2);
        BinaryPrimitives.WriteUInt32LittleEndian(far.AsSpan(FarDirectory + 76), 2); // the root's child is entry 2,
        BinaryPrimitives.WriteUInt32LittleEndian(far.AsSpan(FarDirectory + 256 + 68), 2); // and entry 2 its own left sibling
        AssertSizeRule(Count(far, ".xls"), far, "xls could not be read (InvalidDataException: the directory's tree loops)");

        far = FarWorkbook(sheets: 2);
        BinaryPrimitives.WriteUInt64LittleEndian(far.AsSpan(FarDirectory + 128 + 120), uint.MaxValue); // 4 GB in a 7 MB file
        AssertSizeRule(Count(far, ".xls"), far, "xls could not be read (InvalidDataException: a stream's chain ends before its stated size)");
    }

    /// <summary>A document our reader could not read is estimated as text, high rather than low (docs/costs.md, "Pages").</summary>
    private static void AssertSizeRule(PageCount count, byte[] file, string reason)
    {
        Assert.Equal(((file.Length + 2_999) / 3_000, true, true), (count.Pages, count.Estimated, count.Failed));
        Assert.StartsWith($"size, 3000 bytes a page (errs high): {reason}", count.Basis, StringComparison.Ordinal);
    }

    private static byte[] Legacy(string name) => File.ReadAllBytes(Repository.PathOf($"tests/Core.Tests/Costs/LegacyOffice/{name}"));

    /// <summary>A Word document whose FIB (its WordDocument stream's first sector) says its main text is <paramref name="characters"/> long.</summary>
    private static byte[] WithTextLength(byte[] doc, int characters)
    {
        var fib = Enumerable.Range(1, (doc.Length / 512) - 1).Select(s => s * 512).First(at => BinaryPrimitives.ReadUInt16LittleEndian(doc.AsSpan(at)) == 0xA5EC);
        BinaryPrimitives.WriteInt32LittleEndian(doc.AsSpan(fib + 76), characters);
        return doc;
    }

    /// <summary>The directory's first sector, and where its allocation table entry lies (in a file of one table sector).</summary>
    private static (int Sector, int Entry) DirectorySector(byte[] file)
    {
        var sector = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(48));
        var table = (BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(76)) + 1) * 512;
        return (sector, table + (sector * 4));
    }

    private const int FarStart = 109 * 128; // the first sector the header's 109 allocation table sectors do not cover
    private const int FarDirectory = (111 + 1) * 512;

    /// <summary>
    /// A compound file of 512-byte sectors whose Workbook stream, <paramref name="sheets"/> BoundSheet records in 4,096
    /// bytes, lies at sector 13,952: its chain is in the 110th allocation table sector, which only the DIFAT names.
    /// Sectors 0-109 hold the table, 110 the DIFAT, 111 the directory.
    /// </summary>
    private static byte[] FarWorkbook(int sheets)
    {
        const uint FatMark = 0xFFFFFFFD, DifatMark = 0xFFFFFFFC, End = 0xFFFFFFFE, Free = 0xFFFFFFFF;
        var bytes = new byte[(FarStart + 8 + 1) * 512];
        void Put(int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
        uint Fat(int sector) => sector switch
        {
            < 110 => FatMark,
            110 => DifatMark,
            111 or FarStart + 7 => End,
            >= FarStart and < FarStart + 7 => (uint)sector + 1,
            _ => Free,
        };
        for (var sector = 0; sector < 110 * 128; sector++)
        {
            Put((((sector / 128) + 1) * 512) + ((sector % 128) * 4), Fat(sector));
        }

        new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(24), 0x3E);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(26), 3);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(28), 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(30), 9);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(32), 6);
        foreach (var (field, value) in new[] { (44, 110u), (48, 111u), (56, 4096u), (60, End), (64, 0u), (68, 110u), (72, 1u) })
        {
            Put(field, value); // table sectors, directory, mini stream cutoff, no mini table, one DIFAT sector at 110
        }

        for (var i = 0; i < 128; i++)
        {
            if (i < 109)
            {
                Put(76 + (i * 4), (uint)i); // the header names the first 109 table sectors
            }

            Put(((110 + 1) * 512) + (i * 4), i == 0 ? 109u : i == 127 ? End : Free); // the DIFAT sector the 110th
        }

        Entry(0, "Root Entry", type: 5, child: 1, start: End, size: 0);
        Entry(1, "Workbook", type: 2, child: Free, start: FarStart, size: 4096);
        Entry(2, "", type: 0, child: Free, start: 0, size: 0);
        Entry(3, "", type: 0, child: Free, start: 0, size: 0);
        var at = (FarStart + 1) * 512;
        foreach (var (type, length) in new[] { (0x0809, 16) }.Concat(Enumerable.Repeat((0x0085, 12), sheets)).Append((0x000A, 0)))
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), (ushort)type);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at + 2), (ushort)length);
            at += 4 + length;
        }

        return bytes;

        void Entry(int id, string name, byte type, uint child, uint start, uint size)
        {
            var entry = FarDirectory + (id * 128);
            Encoding.Unicode.GetBytes(name).CopyTo(bytes, entry);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(entry + 64), (ushort)(name.Length == 0 ? 0 : (name.Length + 1) * 2));
            bytes[entry + 66] = type;
            Put(entry + 68, Free);
            Put(entry + 72, Free);
            Put(entry + 76, child);
            Put(entry + 116, start);
            Put(entry + 120, size);
        }
    }
}
