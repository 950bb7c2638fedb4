namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Orders strings as their UTF-8 bytes sort, which is how PostgreSQL's "C" collation orders paths.
/// Ordinal order of .NET strings is UTF-16 code-unit order, which puts characters beyond U+FFFF
/// (surrogate pairs) below U+E000–U+FFFF; code-point order, and so UTF-8 order, puts them above.
/// </summary>
internal sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Instance = new();

    public int Compare(string? x, string? y) => Compare(x.AsSpan(), y.AsSpan());

    public static int Compare(ReadOnlySpan<char> x, ReadOnlySpan<char> y)
    {
        var common = x.CommonPrefixLength(y);
        if (common == x.Length || common == y.Length)
        {
            return x.Length.CompareTo(y.Length);
        }

        return CodePointRank(x[common]) - CodePointRank(y[common]);
    }

    // Moves surrogates (D800–DFFF) above E000–FFFF, keeping every other code unit's order.
    private static int CodePointRank(char c) => c < 0xD800 ? c : c >= 0xE000 ? c - 0x800 : c + 0x2000;
}
