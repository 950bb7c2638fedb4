using System.Globalization;
using System.Text;

namespace BatchOrchestrator.Core.IntegrationTests.Sources;

/// <summary>
/// A PDF that a reader can only take apart by deep recursion is a bad file like any other: it must not end the process
/// that counts its pages (the scan, and the Sandbox's billing, both use PageCounter), which would hold back every file.
/// </summary>
public sealed class DeepPdfFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
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
