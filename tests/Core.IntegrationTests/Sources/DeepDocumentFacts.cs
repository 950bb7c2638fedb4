using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace BatchOrchestrator.Core.IntegrationTests.Sources;

/// <summary>
/// A document that a reader can only take apart by deep recursion is a bad file like any other: it must not end the
/// process that counts its pages (the scan, and the Sandbox's billing, both use PageCounter), which would hold back every file.
/// </summary>
public sealed class DeepDocumentFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    // The deep PDF takes PdfPig seconds to walk; on a machine running two test suites at once it once took over the
    // default 30 s, and its count fell back to the size rule. What is tested is that it is counted at all, not how fast.
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["Costs:PageCountTimeout"] = "00:05:00" });

    [Fact]
    public async Task APdfWhosePageTreeNestsDeeperThanAThreadsStack_IsScannedAndSent_WithTheFileBesideIt()
    {
        // Some 5 MB: PdfPig walked its page tree a frame per level on a thread-pool thread, and overflowed its stack.
        File.WriteAllBytes(Path.Combine(Harness.SourcePath, "deep.pdf"), NestedPageTree(100_000));
        Harness.WriteFile("beside.txt", "an ordinary file");

        await Harness.RunToRecordedAsync(Ct);

        Assert.Equal(
            [("beside.txt", "Succeeded"), ("deep.pdf", "Succeeded")],
            await Harness.Database.ListAsync("select relative_path, state from orchestrator.file_version order by 1", r => (r.GetString(0), r.GetString(1))));
        Assert.Equal("pdf", await Harness.Database.ScalarAsync<string>("select pages_basis from orchestrator.file_version where relative_path = 'deep.pdf'"));
    }

    [Theory]
    [InlineData("deep.pptx")]
    [InlineData("deep.xlsx")]
    [InlineData("deep.docx")]
    public async Task AnOfficeFileWhosePartNestsDeeperThanAThreadsStack_IsSentWithTheSizeEstimate_AndTheFileBesideIt(string name)
    {
        // A few kilobytes zipped: the Open XML SDK built the part's tree a few frames per level, and overflowed the stack.
        File.WriteAllBytes(Path.Combine(Harness.SourcePath, name), NestedOfficePart(Path.GetExtension(name), 200_000));
        Harness.WriteFile("beside.txt", "an ordinary file");

        await Harness.RunToRecordedAsync(Ct);

        Assert.Equal(
            [("beside.txt", "Succeeded"), (name, "Succeeded")],
            await Harness.Database.ListAsync("select relative_path, state from orchestrator.file_version order by 1", r => (r.GetString(0), r.GetString(1))));
        Assert.EndsWith(
            "nests elements deeper than 256)",
            await Harness.Database.ScalarAsync<string>("select pages_basis from orchestrator.file_version where relative_path = $1", name),
            StringComparison.Ordinal);
    }

    /// <summary>
    /// A presentation, a workbook or a Word document whose part that is loaded as a tree (the presentation, the workbook, the
    /// document's properties) holds <paramref name="depth"/> nested elements before what is counted.
    /// </summary>
    private static byte[] NestedOfficePart(string extension, int depth)
    {
        const string Relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        var nested = string.Concat(Enumerable.Repeat("<q:x>", depth)) + string.Concat(Enumerable.Repeat("</q:x>", depth));
        var names = $"xmlns:r=\"{Relationships}\" xmlns:q=\"urn:nested\"";
        (string Part, string Type, string Relationship, string Xml)[] parts = extension switch
        {
            ".pptx" =>
            [
                ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", "officeDocument",
                    $"""<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" {names}>{nested}<p:sldIdLst><p:sldId id="256" r:id="rId9"/></p:sldIdLst></p:presentation>"""),
            ],
            ".xlsx" =>
            [
                ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "officeDocument",
                    $"""<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" {names}>{nested}<sheets><sheet name="a" sheetId="1" r:id="rId9"/></sheets></workbook>"""),
            ],
            _ =>
            [
                ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "officeDocument",
                    """<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>text</w:t></w:r></w:p></w:body></w:document>"""),
                ("docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml", "extended-properties",
                    $"""<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" {names}>{nested}<Pages>3</Pages></Properties>"""),
            ],
        };
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
        {
            void Add(string entry, string text)
            {
                using var writer = new StreamWriter(zip.CreateEntry(entry).Open());
                writer.Write(text);
            }

            Add("[Content_Types].xml", $"""<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>{string.Concat(parts.Select(p => $"<Override PartName=\"/{p.Part}\" ContentType=\"{p.Type}\"/>"))}</Types>""");
            Add("_rels/.rels", $"""<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{string.Concat(parts.Select((p, i) => $"<Relationship Id=\"rId{i + 1}\" Type=\"{Relationships}/{p.Relationship}\" Target=\"{p.Part}\"/>"))}</Relationships>""");
            foreach (var part in parts)
            {
                Add(part.Part, part.Xml);
            }
        }

        return stream.ToArray();
    }

    /// <summary>A one-page PDF whose page sits under <paramref name="depth"/> nested page tree nodes, each with one kid.</summary>
    private static byte[] NestedPageTree(int depth)
    {
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        void Add(string body)
        {
            offsets.Add(pdf.Length);
            pdf.Append(CultureInfo.InvariantCulture, $"{offsets.Count} 0 obj\n{body}\nendobj\n");
        }

        Add("<</Type/Catalog/Pages 2 0 R>>");
        for (var node = 2; node < depth + 2; node++)
        {
            Add(string.Create(CultureInfo.InvariantCulture, $"<</Type/Pages/Kids[{node + 1} 0 R]/Count 1>>"));
        }

        Add(string.Create(CultureInfo.InvariantCulture, $"<</Type/Page/Parent {depth + 1} 0 R/MediaBox[0 0 612 792]>>"));
        var xref = pdf.Length;
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<</Size {offsets.Count + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }
}
