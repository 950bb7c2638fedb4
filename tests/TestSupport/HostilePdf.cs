using System.Globalization;
using System.Text;

namespace BatchOrchestrator.TestSupport;

/// <summary>Crafted PDFs that take a reader far longer than their size suggests.</summary>
public static class HostilePdf
{
    /// <summary>
    /// A PDF of some 300 bytes whose cross-reference stream says it holds <paramref name="objects"/> objects. PdfPig 0.1.16
    /// believes it: at 3 million it took over 20 ms and under 200 ms alone on an idle machine (seconds on a loaded one), at 2 billion it ran past 90 seconds and 5 GB.
    /// </summary>
    public static byte[] ClaimingObjects(int objects)
    {
        const string Pages = "2 0 <</Type/Pages/Kids[]/Count 3>>";
        using var pdf = new MemoryStream();
        void Write(string text) => pdf.Write(Encoding.ASCII.GetBytes(text));
        Write("%PDF-1.5\n");
        var catalog = pdf.Position;
        Write("1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n");
        var objectStream = pdf.Position;
        Write(string.Create(CultureInfo.InvariantCulture, $"3 0 obj\n<</Type/ObjStm/N 1/First 4/Length {Pages.Length}>>\nstream\n{Pages}\nendstream\nendobj\n"));
        var xref = pdf.Position;

        // Its rows (W 1 4 2) list the five objects there are: object 2 is the first in object stream 3.
        using var rows = new MemoryStream();
        void Row(byte type, long field, int index) =>
            rows.Write([type, (byte)(field >> 24), (byte)(field >> 16), (byte)(field >> 8), (byte)field, (byte)(index >> 8), (byte)index]);
        Row(0, 0, 0);
        Row(1, catalog, 0);
        Row(2, 3, 0);
        Row(1, objectStream, 0);
        Row(1, xref, 0);
        Write(string.Create(CultureInfo.InvariantCulture, $"4 0 obj\n<</Type/XRef/Size {objects}/W[1 4 2]/Root 1 0 R/Length {rows.Length}>>\nstream\n"));
        pdf.Write(rows.ToArray());
        Write(string.Create(CultureInfo.InvariantCulture, $"\nendstream\nendobj\nstartxref\n{xref}\n%%EOF\n"));
        return pdf.ToArray();
    }
}
