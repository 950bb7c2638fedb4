using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// Cursor pagination. Tokens are opaque base64url strings: a keyset position ("s:&lt;seq&gt;",
/// stable while items are added) or, for the orderings without a sequence, an offset ("o:&lt;n&gt;").
/// page_size defaults to 50 and is coerced to at most 1000 (files list docs, docs/llamacloud-api.md §1.3).
/// </summary>
internal static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;

    public static PageRequest? Read(HttpRequest request, List<ValidationIssue> issues)
    {
        var size = DefaultPageSize;
        var sizeText = Query.LastAsSent(request, "page_size"); // "" is no integer: a 422, not the default
        if (sizeText is not null)
        {
            if (!int.TryParse(sizeText, NumberStyles.Integer, CultureInfo.InvariantCulture, out size))
            {
                issues.Add(Query.IntParsing.At("query", "page_size"));
                return null;
            }

            if (size < 1)
            {
                issues.Add(Refusal.GreaterThanEqual(1).At("query", "page_size"));
                return null;
            }
        }

        var token = Query.Single(request, "page_token");
        long position = 0;
        var kind = 's';
        if (token is not null && !TryDecode(token, out kind, out position))
        {
            issues.Add(new ValidationIssue(["query", "page_token"], "Invalid page token", "value_error"));
            return null;
        }

        return new PageRequest(Math.Min(size, MaxPageSize), token is null ? null : kind, position);
    }

    /// <summary>Pages items already filtered, keyed and ordered by their unique, increasing sequence.</summary>
    public static CursorPage<TDto> BySequence<T, TDto>(IEnumerable<T> items, bool newestFirst, PageRequest page, Func<T, TDto> map)
        where T : ProjectResource
    {
        var ordered = newestFirst ? items.OrderByDescending(i => i.Sequence) : items.OrderBy(i => i.Sequence);
        var all = ordered.ToList();
        var remaining = page.Kind switch
        {
            's' when newestFirst => all.Where(i => i.Sequence < page.Position).ToList(),
            's' => all.Where(i => i.Sequence > page.Position).ToList(),
            'o' => all.Skip((int)Math.Min(page.Position, int.MaxValue)).ToList(),
            _ => all,
        };
        var slice = remaining.Take(page.Size).ToList();
        var next = remaining.Count > slice.Count ? Encode('s', slice[^1].Sequence) : null;
        return new CursorPage<TDto>([.. slice.Select(map)], next, all.Count);
    }

    /// <summary>Pages by offset, for orderings that have no sequence (e.g. files by name).</summary>
    public static CursorPage<TDto> ByOffset<T, TDto>(IReadOnlyList<T> ordered, PageRequest page, Func<T, TDto> map)
    {
        var offset = page.Kind == 'o' ? (int)Math.Min(page.Position, int.MaxValue) : 0;
        var slice = ordered.Skip(offset).Take(page.Size).ToList();
        var end = offset + slice.Count;
        var next = end < ordered.Count ? Encode('o', end) : null;
        return new CursorPage<TDto>([.. slice.Select(map)], next, ordered.Count);
    }

    private static string Encode(char kind, long position)
        => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{kind}:{position.ToString(CultureInfo.InvariantCulture)}"));

    private static bool TryDecode(string token, out char kind, out long position)
    {
        kind = 's';
        position = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            if (text.Length < 3 || text[1] != ':' || text[0] is not ('s' or 'o'))
            {
                return false;
            }

            kind = text[0];
            return long.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out position);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>A parsed page_size / page_token pair; <see cref="Kind"/> is null on the first page.</summary>
internal sealed record PageRequest(int Size, char? Kind, long Position);
