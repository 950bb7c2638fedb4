using System.Globalization;

namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// A pydantic error type, its message and its <c>ctx</c>, before it is placed at a <c>loc</c>. pydantic v2 gives a
/// constrained value's error a <c>ctx</c> naming the constraint, which FastAPI passes on after <c>input</c>; the
/// factories below write it as pydantic-core words it. Their numbers are written as the Sandbox's messages print
/// them (<c>1</c>, not <c>1.0</c>): whether the service declares a bound as an int or a float is not known, and
/// pydantic prints the one it was given, in the message and in <c>ctx</c> alike (a guess, src/Sandbox/README.md).
/// </summary>
internal sealed record Refusal(string Type, string Msg, IReadOnlyList<KeyValuePair<string, object>>? Ctx = null)
{
    /// <summary>A literal (<c>literal_error</c>) or Python enum (<c>enum</c>): <c>ctx: {"expected": "'a', 'b' or 'c'"}</c>.</summary>
    public static Refusal Literal(IReadOnlyList<string> allowed, bool isEnum = false)
    {
        var expected = OneOf(allowed);
        return new(isEnum ? "enum" : "literal_error", $"Input should be {expected}", [new("expected", expected)]);
    }

    public static Refusal GreaterThanEqual(double ge) =>
        new("greater_than_equal", $"Input should be greater than or equal to {Text(ge)}", [new("ge", ge)]);

    public static Refusal LessThanEqual(double le) =>
        new("less_than_equal", $"Input should be less than or equal to {Text(le)}", [new("le", le)]);

    public static Refusal StringTooShort(int minLength) =>
        new("string_too_short", $"String should have at least {minLength} character{(minLength == 1 ? "" : "s")}", [new("min_length", minLength)]);

    /// <summary>A list shorter than its <c>min_length</c>; <paramref name="msg"/> replaces pydantic's own where a document words it.</summary>
    public static Refusal TooShort(int minLength, int actualLength, string? msg = null) =>
        new(
            "too_short",
            msg ?? $"List should have at least {minLength} item{(minLength == 1 ? "" : "s")} after validation, not {actualLength}",
            [new("field_type", "List"), new("min_length", minLength), new("actual_length", actualLength)]);

    /// <summary>pydantic's list of allowed values in a literal or enum error: 'a', 'b' or 'c'.</summary>
    public static string OneOf(IReadOnlyList<string> allowed) =>
        allowed.Count == 1 ? $"'{allowed[0]}'" : $"{string.Join(", ", allowed.SkipLast(1).Select(a => $"'{a}'"))} or '{allowed[^1]}'";

    public ValidationIssue At(params object[] loc) => new(loc, Msg, Type, Ctx);

    /// <summary>Writes <c>ctx</c> when there is one: strings as strings, whole numbers as integers.</summary>
    public static void WriteCtx(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, object>>? ctx)
    {
        if (ctx is null)
        {
            return;
        }

        writer.WriteStartObject("ctx");
        foreach (var (key, value) in ctx)
        {
            switch (value)
            {
                case int number:
                    writer.WriteNumber(key, number);
                    break;
                case double number when number == Math.Floor(number) && Math.Abs(number) < 1e15:
                    writer.WriteNumber(key, (long)number);
                    break;
                case double number:
                    writer.WriteNumber(key, number);
                    break;
                default:
                    writer.WriteString(key, value.ToString());
                    break;
            }
        }

        writer.WriteEndObject();
    }

    private static string Text(double number) => number.ToString(CultureInfo.InvariantCulture);
}
