using UglyToad.PdfPig;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// The pages of a PDF, as PdfPig counts them. Called only through <see cref="PageReading"/>, which gives the reading the
/// deep stack PdfPig's recursive walk of a page tree needs and a time limit. Compiled into the Sandbox with
/// <see cref="PageCounter"/>.
/// </summary>
internal static class PdfPages
{
    /// <summary>The document's pages, at least one; throws what PdfPig throws for what it cannot read.</summary>
    public static int Count(Stream content)
    {
        using var pdf = PdfDocument.Open(content, new ParsingOptions { UseLenientParsing = true });
        return Math.Max(1, pdf.NumberOfPages);
    }
}
