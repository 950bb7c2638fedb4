using DocumentFormat.OpenXml.Packaging;

namespace BatchOrchestrator.Core.Tests.Costs;

/// <summary>Office parts whose size is in their elements, not their characters.</summary>
public sealed partial class PageCounterFacts
{
    [Fact]
    public void APresentationWhosePartHoldsMillionsOfElements_IsCountedAsAStream_NotLoadedAsATree()
    {
        // 85 KB zipped: loaded as a tree (the Open XML SDK's Presentation), its part took 450 MB and seconds for one slide.
        var flat = string.Concat(Enumerable.Repeat("<q:x/>", 2_600_000));
        var bytes = Zip(
            ("[Content_Types].xml", """<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>"""),
            ("_rels/.rels", """<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="ppt/presentation.xml"/></Relationships>"""),
            ("ppt/presentation.xml", $"""<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:q="urn:q">{flat}<p:sldIdLst><p:sldId id="256" r:id="rId9"/><p:sldId id="257" r:id="rId8"/></p:sldIdLst></p:presentation>"""));
        using var stream = new MemoryStream(bytes);
        using var document = PresentationDocument.Open(stream, false);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var slides = ShallowParts.Listed(document.PresentationPart, "sldIdLst", "sldId");

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2, slides);
        Assert.True(allocated < 32 << 20, $"{allocated >> 20} MB allocated"); // a stream's buffers, whatever the part holds
        Assert.Equal(new PageCount(2, "pptx slides", false), Count(bytes, ".pptx"));
    }
}
