using System.Text.Json.Nodes;

namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// A JSON value's type as an SDK declaration spells it, for nested option objects too deep to check field by field
/// in an endpoint. <see cref="Nullable"/> is <c>| null</c>: without it an explicit null is refused with the type's own
/// error, as pydantic refuses None for a field that is not Optional. Fields an object does not list are left alone
/// (pydantic ignores them unless told otherwise). <see cref="Min"/> and <see cref="Max"/> are bounds the SDK's doc
/// comments state; <see cref="Required"/> marks a field the declaration has without <c>?</c>. <see cref="Format"/> is
/// the format a doc comment states for a string (<see cref="StringFormats"/>): it returns the message of the
/// <c>value_error</c> a string outside it gets, or null.
/// </summary>
internal sealed record JsonShape(
    JsonShapeKind Kind,
    bool Nullable = true,
    IReadOnlyList<string>? Allowed = null,
    IReadOnlyDictionary<string, JsonShape>? Fields = null,
    JsonShape? Item = null,
    double? Min = null,
    double? Max = null,
    bool Required = false,
    Func<string, string?>? Format = null,
    bool IsEnum = false,
    bool IsModel = false)
{
    public static readonly JsonShape Any = new(JsonShapeKind.Any);
    public static readonly JsonShape Bool = new(JsonShapeKind.Boolean);
    public static readonly JsonShape Str = new(JsonShapeKind.String);
    public static readonly JsonShape Num = new(JsonShapeKind.Number);
    public static readonly JsonShape NumOrStr = new(JsonShapeKind.NumberOrString);

    /// <summary>Not <c>| null</c>: optional, but an explicit null is refused.</summary>
    public JsonShape NeverNull => this with { Nullable = false };

    public static JsonShape Literal(params string[] allowed) => new(JsonShapeKind.Literal, Allowed: allowed);

    /// <summary>A Python enum: as a <see cref="Literal"/>, but pydantic names its error <c>enum</c>.</summary>
    public static JsonShape Enum(IReadOnlyList<string> allowed) => new(JsonShapeKind.Literal, Allowed: allowed, IsEnum: true);

    /// <summary>An object that is a pydantic model of its own: a value of another type is <c>model_type</c>.</summary>
    public JsonShape AsModel => this with { IsModel = true };

    /// <summary>A list (<c>Array&lt;T&gt; | null</c>); its items are never null, as none of the SDK's arrays types them so.</summary>
    public static JsonShape ListOf(JsonShape item) => new(JsonShapeKind.List, Item: item.NeverNull);

    /// <summary>An object of any keys whose values are all <paramref name="value"/> (<c>{ [key: string]: T } | null</c>).</summary>
    public static JsonShape MapOf(JsonShape value) => new(JsonShapeKind.Map, Item: value.NeverNull);

    public static JsonShape Ratio => Num with { Min = 0, Max = 1 };

    public static JsonShape Object(params (string Name, JsonShape Shape)[] fields) =>
        new(JsonShapeKind.Object, Fields: fields.ToDictionary(f => f.Name, f => f.Shape, StringComparer.Ordinal));

    /// <summary>Each named field a boolean typed <c>boolean | null</c>.</summary>
    public static (string, JsonShape)[] Bools(params string[] names) => [.. names.Select(n => (n, Bool))];

    /// <summary>Checks each listed field of <paramref name="obj"/> that is present, and each required one is.</summary>
    public void CheckFields(JsonElement obj, BodyValidator v, params object[] loc)
    {
        foreach (var (name, shape) in Fields ?? new Dictionary<string, JsonShape>())
        {
            if (obj.TryGetProperty(name, out var value))
            {
                shape.Check(value, v, [.. loc, name]);
            }
            else if (shape.Required)
            {
                v.Add("missing", "Field required", [.. loc, name]);
            }
        }
    }

    /// <summary>
    /// A checked value as pydantic keeps it: the fields of an object this shape lists, at every depth it describes, and no
    /// others, since pydantic ignores (drops) a field its model lacks. An object declared with no fields is a free dictionary.
    /// </summary>
    public JsonNode? Keep(JsonElement value) => (Kind, value.ValueKind) switch
    {
        (JsonShapeKind.Object, JsonValueKind.Object) when Fields is { Count: > 0 } =>
            new JsonObject(value.EnumerateObject().Where(p => Fields.ContainsKey(p.Name)).Select(p => KeyValuePair.Create(p.Name, Fields[p.Name].Keep(p.Value)))),
        (JsonShapeKind.Map, JsonValueKind.Object) => new JsonObject(value.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, Item!.Keep(p.Value)))),
        (JsonShapeKind.List, JsonValueKind.Array) => new JsonArray([.. value.EnumerateArray().Select(Item!.Keep)]),
        _ => JsonNode.Parse(value.GetRawText()),
    };

    /// <summary>Checks one value at <paramref name="loc"/> (relative to the body), adding an issue per problem.</summary>
    public void Check(JsonElement value, BodyValidator v, params object[] loc)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (!Nullable && Kind != JsonShapeKind.Any)
            {
                Refuse(v, loc);
            }

            return;
        }

        switch (Kind)
        {
            case JsonShapeKind.Any:
                return;
            case JsonShapeKind.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                return;
            case JsonShapeKind.String when value.ValueKind == JsonValueKind.String:
                if (Format?.Invoke(value.GetString()!) is { } problem)
                {
                    v.Add("value_error", problem, loc);
                }

                return;
            case JsonShapeKind.NumberOrString when value.ValueKind == JsonValueKind.String:
                return;
            case JsonShapeKind.NumberOrString or JsonShapeKind.Number when value.ValueKind == JsonValueKind.Number:
                CheckBounds(value.GetDouble(), v, loc);
                return;
            case JsonShapeKind.Literal when value.ValueKind == JsonValueKind.String && Allowed!.Contains(value.GetString()!, StringComparer.Ordinal):
                return;
            case JsonShapeKind.Object when value.ValueKind == JsonValueKind.Object:
                CheckFields(value, v, loc);
                return;
            case JsonShapeKind.Map when value.ValueKind == JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    Item!.Check(property.Value, v, [.. loc, property.Name]);
                }

                return;
            case JsonShapeKind.List when value.ValueKind == JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Item!.Check(item, v, [.. loc, index++]);
                }

                return;
            default:
                Refuse(v, loc);
                return;
        }
    }

    private void CheckBounds(double number, BodyValidator v, object[] loc)
    {
        if (number < Min)
        {
            v.Add(Refusal.GreaterThanEqual(Min.Value), loc);
        }
        else if (number > Max)
        {
            v.Add(Refusal.LessThanEqual(Max.Value), loc);
        }
    }

    /// <summary>pydantic's error for a value of the wrong type (or a null where the type has no <c>| null</c>).</summary>
    private void Refuse(BodyValidator v, object[] loc)
    {
        var refusal = Kind switch
        {
            JsonShapeKind.Boolean => new Refusal("bool_type", "Input should be a valid boolean"),
            JsonShapeKind.String => new Refusal("string_type", "Input should be a valid string"),
            JsonShapeKind.Number => new Refusal("float_type", "Input should be a valid number"),
            JsonShapeKind.NumberOrString => new Refusal("union_type", "Input should be a valid number or string"),
            JsonShapeKind.Literal => Refusal.Literal(Allowed!, IsEnum),
            JsonShapeKind.Object when IsModel => new Refusal("model_type", "Input should be a valid dictionary or object to extract fields from"),
            JsonShapeKind.Object or JsonShapeKind.Map => new Refusal("dict_type", "Input should be a valid dictionary"),
            _ => new Refusal("list_type", "Input should be a valid list"),
        };
        v.Add(refusal, loc);
    }
}

/// <summary>The JSON types a <see cref="JsonShape"/> tells apart.</summary>
internal enum JsonShapeKind
{
    Any,
    Boolean,
    String,
    Number,
    NumberOrString,
    Literal,
    Object,
    Map,
    List,
}
