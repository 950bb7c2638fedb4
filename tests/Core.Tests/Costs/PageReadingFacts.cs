namespace BatchOrchestrator.Core.Tests.Costs;

/// <summary>
/// A document whose reading takes too long, takes too much, or cannot be started costs its own estimate and nothing
/// more: the count returns within its time limit with the size rule and the reason, and readers left running are bounded.
/// </summary>
public sealed class PageReadingFacts
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task APdfClaimingMillionsOfObjects_GetsTheSizeRule_AtItsTimeLimit_AndItsReaderFreesItsPlaceOnceDone()
    {
        // A real file of 300 bytes that keeps PdfPig 0.1.16 busy (for hours at 2 billion objects). Run alone on an idle
        // machine it was read within 200 ms, which the test once used as its limit, and once just after 20 ms: so 5 ms.
        // Whether its reader still runs when the count returns is a race, not asserted; that a place left running is
        // freed is held by the next test, with a reader that waits on cue.
        var reading = new PageReading(TimeSpan.FromMilliseconds(5));

        var count = Count(HostilePdf.ClaimingObjects(3_000_000), ".pdf", reading);

        Assert.Equal((1, true, true), (count.Pages, count.Estimated, count.Failed));
        Assert.Equal("size, 3000 bytes a page (errs high): pdf not counted (not read within the time limit of 00:00:00.0050000)", count.Basis);
        await Eventually.WaitAsync(() => Task.FromResult(reading.LeftRunning == 0), Wait, "the reader left running to end");
    }

    [Fact]
    public async Task WhileAsManyReadersAsAllowedRunOnPastTheirLimit_NoFurtherDocumentIsOpened_UntilOneEnds()
    {
        var reading = new PageReading(TimeSpan.FromMilliseconds(50), maxLeftRunning: 1);
        using var stuck = new ManualResetEventSlim();
        var opened = 0;

        var first = Assert.Throws<PageReadingException>(() => reading.Read(() => stuck.Wait(Wait)));
        var refused = Assert.Throws<PageReadingException>(() => reading.Read(() => Interlocked.Increment(ref opened)));
        var pdf = Count(new byte[120_000], ".pdf", reading);

        Assert.Equal("not read within the time limit of 00:00:00.0500000", first.Message);
        Assert.StartsWith("not opened: the readers of 1 earlier documents are still running past the time limit", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, opened);
        // Not opened says nothing of this document, and its estimate is kept for good: it errs high (as text), not at the
        // size rule's 50,000 bytes a page, a tenth of a text PDF's pages, which a cap would let through.
        Assert.Equal((40, true), (pdf.Pages, pdf.Failed));
        Assert.StartsWith("size, 3000 bytes a page (errs high): pdf not counted (not opened: the readers of 1", pdf.Basis, StringComparison.Ordinal);

        stuck.Set();
        await Eventually.WaitAsync(() => Task.FromResult(reading.LeftRunning == 0), Wait, "the stuck reader to end");
        Assert.Equal(1, reading.Read(() => Interlocked.Increment(ref opened)));
    }

    [Fact]
    public void AReaderThatRunsOutOfMemory_FailsThatReadingAlone()
    {
        // What PdfPig or the Open XML SDK throw for an allocation a document asks for (a length it claims, a stream it
        // unpacks), and what Thread.Start throws where the system will not reserve the reader's stack (strict overcommit).
        var reading = new PageReading(Wait);

        // An array past the largest .NET allows: refused with an OutOfMemoryException before anything is allocated.
        Assert.Throws<OutOfMemoryException>(() => reading.Read(() => new byte[int.MaxValue].Length));
        Assert.Equal(0, reading.LeftRunning);
        Assert.Equal(7, reading.Read(() => 7));
    }

    [Fact]
    public void AnOrdinaryDocument_IsCountedWellWithinTheLimit()
    {
        var builder = new UglyToad.PdfPig.Writer.PdfDocumentBuilder();
        builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
        builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);

        Assert.Equal(new PageCount(2, "pdf", false), Count(builder.Build(), ".pdf", new PageReading(TimeSpan.FromSeconds(30))));
    }

    private static PageCount Count(byte[] bytes, string extension, PageReading reading)
    {
        using var stream = new MemoryStream(bytes);
        return PageCounter.Count(stream, extension, reading);
    }
}
