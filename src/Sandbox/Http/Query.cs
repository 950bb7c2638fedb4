using System.Globalization;

namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// Query-string reading with the SDKs' conventions: arrays arrive as repeated keys
/// (<c>?expand=a&amp;expand=b</c>, docs/llamacloud-api.md §1.2), and only so, as a FastAPI list parameter
/// reads them: a comma list is one value, and <c>key[]=</c> another parameter. Unknown parameters
/// (<c>organization_id</c>, <c>project_id</c>, <c>session</c>) are ignored.
/// </summary>
internal static class Query
{
    /// <summary>pydantic's error for query text that is no integer.</summary>
    public static readonly Refusal IntParsing = new("int_parsing", "Input should be a valid integer, unable to parse string as an integer");

    private static readonly string[] TrueWords = ["true", "t", "yes", "y", "on"];
    private static readonly string[] FalseWords = ["false", "f", "no", "n", "off"];

    public static string? Single(HttpRequest request, string name)
    {
        var values = request.Query[name];
        return values.Count == 0 || string.IsNullOrEmpty(values[^1]) ? null : values[^1];
    }

    public static IReadOnlyList<string> List(HttpRequest request, string name) =>
        [.. request.Query[name].OfType<string>().Where(value => value.Length > 0)];

    /// <summary>
    /// Every value of <paramref name="name"/> as sent, empty ones too. FastAPI hands <c>?status=</c> to pydantic as the
    /// string "" (Starlette keeps blank values; only form fields read "" as absent), so a parameter whose type is a
    /// literal union or a timestamp refuses it: "" is none of the literals, and no timestamp.
    /// </summary>
    public static IReadOnlyList<string> AsSent(HttpRequest request, string name) =>
        [.. request.Query[name].Select(value => value ?? string.Empty)];

    /// <summary>
    /// The last value of <paramref name="name"/> as sent, "" when sent empty, null when absent: how a parameter typed
    /// integer, boolean or number is read, since pydantic parses none of them from "" (FastAPI passes it on as sent).
    /// </summary>
    public static string? LastAsSent(HttpRequest request, string name) => AsSent(request, name) is [.., var text] ? text : null;

    /// <summary>A timestamp as pydantic reads one from text (<see cref="PydanticDateTime"/>), not as .NET would.</summary>
    public static bool TryParseTimestamp(string text, out DateTimeOffset value) => PydanticDateTime.TryParse(text, out value);

    /// <summary>Reads an optional date-time filter; a bad value is FastAPI's 422 on ("query", name).</summary>
    public static bool TryTimestamp(HttpRequest request, string name, List<ValidationIssue> issues, out DateTimeOffset? value)
    {
        value = null;
        if (AsSent(request, name) is not [.., var text])
        {
            return true;
        }

        if (TryParseTimestamp(text, out var parsed))
        {
            value = parsed;
            return true;
        }

        issues.Add(new ValidationIssue(["query", name], "Input should be a valid datetime", "datetime_from_date_parsing"));
        return false;
    }

    /// <summary>
    /// An optional boolean parameter, read as pydantic reads a boolean from text: <c>1</c>, <c>0</c> and the words
    /// <c>true t yes y on</c> / <c>false f no n off</c> in any case; anything else, "" too, is its <c>bool_parsing</c>.
    /// </summary>
    public static bool? Bool(HttpRequest request, string name, List<ValidationIssue> issues)
    {
        var text = LastAsSent(request, name);
        if (text is null)
        {
            return null;
        }

        if (text == "1" || TrueWords.Contains(text, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        if (text == "0" || FalseWords.Contains(text, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        issues.Add(new ValidationIssue(["query", name], "Input should be a valid boolean, unable to interpret input", "bool_parsing"));
        return null;
    }

    /// <summary>An optional parameter the SDK types <c>number</c>; text that is no number is FastAPI's 422 on ("query", name).</summary>
    public static double? Number(HttpRequest request, string name, List<ValidationIssue> issues)
    {
        var text = LastAsSent(request, name);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return number;
        }

        issues.Add(new ValidationIssue(["query", name], "Input should be a valid number, unable to parse string as a number", "float_parsing"));
        return null;
    }

    /// <summary>
    /// An optional array parameter whose items are a literal union: every value as sent (<see cref="AsSent"/>, so an empty
    /// one is refused too), each outside <paramref name="allowed"/> a <c>literal_error</c> at its index, as pydantic
    /// places an item's error in a list (<c>["query", "types", 1]</c>).
    /// </summary>
    public static IReadOnlyList<string> Literals(HttpRequest request, string name, IReadOnlyList<string> allowed, List<ValidationIssue> issues)
    {
        var values = AsSent(request, name);
        for (var i = 0; i < values.Count; i++)
        {
            if (!allowed.Contains(values[i], StringComparer.Ordinal))
            {
                issues.Add(Refusal.Literal(allowed).At("query", name, i));
            }
        }

        return values;
    }

    /// <summary>An optional parameter typed as a literal union; an empty value is refused (<see cref="AsSent"/>).</summary>
    public static string? Literal(HttpRequest request, string name, IReadOnlyList<string> allowed, List<ValidationIssue> issues)
    {
        if (AsSent(request, name) is not [.., var text])
        {
            return null;
        }

        if (allowed.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }

        issues.Add(Refusal.Literal(allowed).At("query", name));
        return null;
    }
}
