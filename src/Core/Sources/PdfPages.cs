using System.Runtime.ExceptionServices;
using UglyToad.PdfPig;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// The pages of a PDF, as PdfPig counts them, read on a thread of its own with a deep stack. PdfPig walks the page
/// tree by recursion, a frame per level, and its depth guard (<see cref="ParsingOptions.MaxStackDepth"/>) does not
/// cover that walk: a damaged or crafted PDF of a few megabytes whose page tree nests some 30,000 levels used up a
/// thread-pool thread's 1.5 MB, and a stack overflow cannot be caught. It ended the process at every scan that
/// hashed the file, holding back every source of the instance. On <see cref="StackBytes"/> a tree needs over two
/// million levels, for which PdfPig would allocate gigabytes first (about 4 KB a level). Compiled into the Sandbox
/// with <see cref="PageCounter"/>.
/// </summary>
internal static class PdfPages
{
    /// <summary>
    /// The counting thread's stack: address space only, since the system commits a stack's pages as they are used, and
    /// an ordinary PDF's tree is a few levels deep.
    /// </summary>
    public const int StackBytes = 128 << 20;

    /// <summary>The document's pages, at least one; throws what PdfPig throws for what it cannot read.</summary>
    public static int Count(Stream content)
    {
        var pages = 0;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    using var pdf = PdfDocument.Open(content, new ParsingOptions { UseLenientParsing = true });
                    pages = pdf.NumberOfPages;
                }
                catch (Exception ex)
                {
                    failure = ExceptionDispatchInfo.Capture(ex);
                }
            },
            StackBytes)
        {
            IsBackground = true,
            Name = "pdf-pages",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return Math.Max(1, pages);
    }
}
