namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// Text that came from file names, reasons or LlamaCloud, as a page or a terminal shows it. A file name may hold any
/// character but '/': besides control characters (which <c>VerbTable</c> shows as '?'), the bidirectional formatting
/// characters (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) reorder what follows them, so that "invoice‮fdp.exe" reads as
/// "invoiceexe.pdf" on a page and in a terminal. They are shown as '?' too, as <c>ls</c> shows an unprintable one.
/// </summary>
internal static class ShownText
{
    public static bool IsBidiControl(char c) =>
        c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary><paramref name="text"/> with every bidirectional formatting character as '?'.</summary>
    public static string WithoutBidiControls(string text) => Marked(text, IsBidiControl);

    /// <summary><paramref name="text"/> with each character <paramref name="unshown"/> picks as '?' (the text itself when none is).</summary>
    public static string Marked(string text, Func<char, bool> unshown) =>
        text.Any(unshown) ? new string([.. text.Select(c => unshown(c) ? '?' : c)]) : text;

    /// <summary>
    /// At most <paramref name="max"/> characters: longer, the first <paramref name="max"/> − 1 and "…", one fewer where the
    /// cut would split a surrogate pair (a character outside the first plane, such as an emoji in a name), whose half alone
    /// shows as a replacement character or breaks the encoding of what follows.
    /// </summary>
    public static string Cut(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var keep = Math.Max(0, max - 1);
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return text[..keep] + "…";
    }
}
