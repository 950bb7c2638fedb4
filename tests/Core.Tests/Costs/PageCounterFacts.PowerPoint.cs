using System.Buffers.Binary;

namespace BatchOrchestrator.Core.Tests.Costs;

/// <summary>
/// Legacy presentations (.ppt): the slide count the summary states, else the slides of the current DocumentContainer in
/// the PowerPoint Document stream (docs/legacy-office.md), found through the Current User stream and the edits' persist
/// directories. The fixtures are LibreOffice's (LegacyOffice/README.md); the damaged ones are patched copies.
/// </summary>
public sealed partial class PageCounterFacts
{
    // In four-slides-unstated.ppt the PowerPoint Document stream fills sectors 0-27 in order: its byte n is the file's 512 + n.
    private const int SlideList = 1238; // the SlideListWithTextContainer of instance 0, four SlidePersistAtoms
    private const int LastSlide = 1330;
    private const int PersistDirectory = 13784; // persist ids 1-11 from offset 0 (id 1, the DocumentContainer)
    private const int LastEdit = 13840; // the UserEditAtom the Current User stream names, no edit before it
    private const int SpareSlide = 7912; // a SlideContainer of 968 bytes the counter never reads, room for a later save

    [Fact]
    public void APresentation_TakesTheSlideCountItsSummaryStates_ElseCountsItsSlides()
    {
        Assert.Equal(new PageCount(4, "ppt slide count", false), Count(Legacy("four-slides-stated.ppt"), ".ppt"));

        // LibreOffice states no count: 17 KB, one page by the size rule, for four slides.
        Assert.Equal(new PageCount(4, "ppt slides", false), Count(Legacy("four-slides-unstated.ppt"), ".PPT"));
    }

    [Fact]
    public void APresentationSavedByAppending_IsCountedByItsLastEdit_NotByTheFirstDocumentContainer()
    {
        // A later save appended a DocumentContainer of three slides and an edit whose persist directory places it.
        var deleted = Unstated();
        var at = SpareSlide;
        at = Put(deleted, at, 0x000F, 0x03E8, 8 + 84);
        at = Put(deleted, at, 0x000F, 0x0FF0, 84);
        for (var slide = 0; slide < 3; slide++)
        {
            at = Put(deleted, at, 0x0000, 0x03F3, 20) + 20;
        }

        var directory = at;
        at = Put(deleted, at, 0x0000, 0x1772, 8, (1u << 20) | 1, SpareSlide);
        AppendEdit(deleted, at, previous: LastEdit, directory);
        Assert.Equal(new PageCount(3, "ppt slides", false), Count(deleted, ".ppt"));

        // A later save that changed a slide only: its directory places persist id 4, the document is the earlier edit's.
        var edited = Unstated();
        directory = SpareSlide;
        at = Put(edited, directory, 0x0000, 0x1772, 8, (1u << 20) | 4, SpareSlide + 100);
        AppendEdit(edited, at, previous: LastEdit, directory);
        Assert.Equal(new PageCount(4, "ppt slides", false), Count(edited, ".ppt"));
    }

    [Fact]
    public void ADamagedPowerPointStream_GetsTheSizeRuleAndTheReason_NeverAnException()
    {
        var pastTheStream = Unstated();
        Write(pastTheStream, 4, int.MaxValue); // the DocumentContainer's length
        AssertSizeRule(Count(pastTheStream, ".ppt"), pastTheStream, "ppt could not be read (InvalidDataException: a DocumentContainer at 0 whose length runs past its container)");

        var truncated = Unstated();
        Write(truncated, LastSlide + 4, 21); // the last SlidePersistAtom runs one byte past the slide list's end
        AssertSizeRule(Count(truncated, ".ppt"), truncated, $"ppt could not be read (InvalidDataException: a record at {LastSlide} whose length runs past its container)");

        var noSlideList = Unstated();
        BinaryPrimitives.WriteUInt16LittleEndian(noSlideList.AsSpan(512 + SlideList), 0x003F); // instance 3: not the slides
        AssertSizeRule(Count(noSlideList, ".ppt"), noSlideList, "ppt could not be read (InvalidDataException: a DocumentContainer that lists no slides)");

        var editOutside = Unstated();
        BinaryPrimitives.WriteInt32LittleEndian(editOutside.AsSpan(CurrentUser(editOutside) + 16), int.MaxValue);
        AssertSizeRule(Count(editOutside, ".ppt"), editOutside, "ppt could not be read (InvalidDataException: a UserEditAtom cut short at 2147483647)");

        var looping = Unstated();
        Write(looping, PersistDirectory + 8, (11u << 20) | 2); // the directory no longer places persist id 1,
        Write(looping, LastEdit + 16, LastEdit); // and the edit names itself as the one before
        AssertSizeRule(Count(looping, ".ppt"), looping, "ppt could not be read (InvalidDataException: the presentation's edits loop)");

        var nowhere = Unstated();
        Write(nowhere, PersistDirectory + 8, (11u << 20) | 2);
        AssertSizeRule(Count(nowhere, ".ppt"), nowhere, "ppt could not be read (InvalidDataException: no edit places the document's persist id 1)");
    }

    private static byte[] Unstated()
    {
        var ppt = Legacy("four-slides-unstated.ppt");
        Assert.Equal(0x03E8, BinaryPrimitives.ReadUInt16LittleEndian(ppt.AsSpan(512 + 2))); // the stream begins where the constants say
        return ppt;
    }

    /// <summary>A UserEditAtom at <paramref name="at"/> in the stream, and the Current User pointing to it as the last edit.</summary>
    private static void AppendEdit(byte[] ppt, int at, int previous, int directory)
    {
        Put(ppt, at, 0x0000, 0x0FF5, 28, 256, 0x0300_0000, (uint)previous, (uint)directory, 1, 12, 1);
        BinaryPrimitives.WriteInt32LittleEndian(ppt.AsSpan(CurrentUser(ppt) + 16), at);
    }

    /// <summary>A record header and the 32-bit values after it, at <paramref name="at"/> in the stream; returns where the values end.</summary>
    private static int Put(byte[] ppt, int at, ushort versionAndInstance, ushort type, uint length, params uint[] values)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(ppt.AsSpan(512 + at), versionAndInstance);
        BinaryPrimitives.WriteUInt16LittleEndian(ppt.AsSpan(512 + at + 2), type);
        Write(ppt, at + 4, length);
        for (var i = 0; i < values.Length; i++)
        {
            Write(ppt, at + 8 + (i * 4), values[i]);
        }

        return at + 8 + (values.Length * 4);
    }

    private static void Write(byte[] ppt, int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(ppt.AsSpan(512 + at), value);

    private static void Write(byte[] ppt, int at, int value) => Write(ppt, at, (uint)value);

    /// <summary>Where the CurrentUserAtom lies in the file (in the mini stream), found by its size (20) and header token after its header.</summary>
    private static int CurrentUser(byte[] ppt) =>
        ppt.AsSpan().IndexOf(new byte[] { 0x14, 0x00, 0x00, 0x00, 0x5F, 0xC0, 0x91, 0xE3 }) is >= 8 and var at
            ? at - 8
            : throw new InvalidDataException("no CurrentUserAtom");
}
