namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// Collects every problem in a JSON body (pydantic reports them all at once) and turns them
/// into one 422 response. Locations are given relative to the body, e.g. ("config", "job").
/// </summary>
internal sealed class BodyValidator
{
    private static readonly Refusal StringType = new("string_type", "Input should be a valid string");

    private readonly List<ValidationIssue> _issues = [];

    /// <summary>The body's own refusal, when it is no object: then pydantic stops there and reports nothing inside it.</summary>
    private ValidationIssue? _notAnObject;

    public bool IsValid => _issues.Count == 0;

    public IResult ToResult() => ApiErrors.Validation(_notAnObject is { } alone ? [alone] : _issues);

    public void Add(string type, string msg, params object[] loc) => _issues.Add(new ValidationIssue(["body", .. loc], msg, type));

    public void Add(Refusal refusal, params object[] loc) => _issues.Add(refusal.At(["body", .. loc]));

    /// <summary>
    /// The body must be a JSON object; anything else is pydantic's model_attributes_type, and the only issue the answer
    /// lists: a model that gets no object validates none of its fields, so none of them is "missing".
    /// </summary>
    public bool RequireObject(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        _notAnObject = new ValidationIssue(["body"], "Input should be a valid dictionary or object to extract fields from", "model_attributes_type");
        _issues.Add(_notAnObject);
        return false;
    }

    public static JsonElement? Get(JsonElement obj, string name)
        => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static bool Has(JsonElement obj, string name) => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out _);

    public string? String(JsonElement obj, string name, bool required, params object[] loc) => Text(obj, name, required, StringType, loc);

    /// <summary>
    /// A field's value, or null when it is absent or null. A required field that is absent is <c>missing</c>; one sent as
    /// null is refused with <paramref name="nullRefusal"/>, its type's own error (<c>input: null</c>), as pydantic refuses
    /// None for a required field that is not Optional: every field the Sandbox reads as required is typed without
    /// <c>| null</c> in the SDK. An optional field sent as null reads as absent (most are typed <c>?: T | null</c>).
    /// </summary>
    private JsonElement? Field(JsonElement obj, string name, bool required, Refusal nullRefusal, object[] loc)
    {
        if (Get(obj, name) is { } value)
        {
            return value;
        }

        if (required)
        {
            Add(Has(obj, name) ? nullRefusal : new Refusal("missing", "Field required"), [.. loc, name]);
        }

        return null;
    }

    private string? Text(JsonElement obj, string name, bool required, Refusal nullRefusal, object[] loc)
    {
        var value = Field(obj, name, required, nullRefusal, loc);
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.String)
        {
            Add(StringType, [.. loc, name]);
            return null;
        }

        return value.Value.GetString();
    }

    public string? NonEmptyString(JsonElement obj, string name, bool required, params object[] loc)
    {
        var value = String(obj, name, required, loc);
        if (value is { Length: 0 })
        {
            Add(Refusal.StringTooShort(1), [.. loc, name]);
            return null;
        }

        return value;
    }

    public string? Literal(JsonElement obj, string name, IReadOnlyList<string> allowed, bool required, params object[] loc)
    {
        var refusal = Refusal.Literal(allowed);
        var value = Text(obj, name, required, refusal, loc);
        if (value is null || allowed.Contains(value, StringComparer.Ordinal))
        {
            return value;
        }

        Add(refusal, [.. loc, name]);
        return null;
    }

    /// <summary>
    /// A string's format, as a doc comment states it (<see cref="StringFormats"/>): a <c>value_error</c> at
    /// <paramref name="loc"/> when <paramref name="format"/> finds a problem. Null (absent or not a string) is left
    /// to the type check.
    /// </summary>
    public void Format(string? value, Func<string, string?> format, params object[] loc)
    {
        if (value is not null && format(value) is { } problem)
        {
            Add("value_error", problem, loc);
        }
    }

    /// <summary>
    /// A field the SDK types <c>name?: T</c>, optional but never null. Everywhere else in this validator an explicit
    /// null counts as absent (most optional fields are <c>T | null</c>); for these it is refused with the type's own
    /// error, as pydantic refuses None for a field that is not Optional.
    /// </summary>
    public void RefuseNull(JsonElement obj, string name, string type, string msg, params object[] loc) => RefuseNull(obj, name, new Refusal(type, msg), loc);

    public void RefuseNull(JsonElement obj, string name, Refusal refusal, params object[] loc)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Null)
        {
            Add(refusal, [.. loc, name]);
        }
    }

    /// <summary>A literal typed <c>name?: 'a' | 'b'</c>: optional, and an explicit null refused as a value outside it.</summary>
    public string? NeverNullLiteral(JsonElement obj, string name, IReadOnlyList<string> allowed, params object[] loc)
    {
        RefuseNull(obj, name, Refusal.Literal(allowed), loc);
        return Literal(obj, name, allowed, required: false, loc);
    }

    /// <summary>A string typed <c>name?: string</c>: optional, and an explicit null refused as not a string.</summary>
    public string? NeverNullString(JsonElement obj, string name, params object[] loc)
    {
        RefuseNull(obj, name, "string_type", "Input should be a valid string", loc);
        return String(obj, name, required: false, loc);
    }

    /// <summary>A boolean typed <c>name?: boolean</c>: optional, and an explicit null refused as not a boolean.</summary>
    public bool? NeverNullBool(JsonElement obj, string name, params object[] loc)
    {
        RefuseNull(obj, name, "bool_type", "Input should be a valid boolean", loc);
        return Bool(obj, name, loc);
    }

    /// <summary>Each field of <paramref name="obj"/> not in <paramref name="allowed"/> is refused: a TypeScript object literal could not carry it.</summary>
    public void ForbidExtra(JsonElement obj, IReadOnlySet<string> allowed, params object[] loc)
    {
        foreach (var property in obj.EnumerateObject().Where(p => !allowed.Contains(p.Name)))
        {
            Add("extra_forbidden", "Extra inputs are not permitted", [.. loc, property.Name]);
        }
    }

    public JsonElement? Object(JsonElement obj, string name, bool required, params object[] loc)
    {
        // dict_type, as for a dict; a pydantic model would be model_type, and which fields are models is not public (a guess, README).
        var dictType = new Refusal("dict_type", "Input should be a valid dictionary");
        var value = Field(obj, name, required, dictType, loc);
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Object)
        {
            Add(dictType, [.. loc, name]);
            return null;
        }

        return value;
    }

    public IReadOnlyList<JsonElement>? Array(JsonElement obj, string name, params object[] loc)
    {
        var value = Get(obj, name);
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Array)
        {
            Add("list_type", "Input should be a valid list", [.. loc, name]);
            return null;
        }

        return [.. value.Value.EnumerateArray()];
    }

    public IReadOnlyList<string>? StringArray(JsonElement obj, string name, params object[] loc)
    {
        var items = Array(obj, name, loc);
        if (items is null)
        {
            return null;
        }

        var result = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].ValueKind == JsonValueKind.String)
            {
                result.Add(items[i].GetString()!);
            }
            else
            {
                Add("string_type", "Input should be a valid string", [.. loc, name, i]);
            }
        }

        return result;
    }

    public bool? Bool(JsonElement obj, string name, params object[] loc)
    {
        var value = Get(obj, name);
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.Value.GetBoolean();
        }

        Add("bool_type", "Input should be a valid boolean", [.. loc, name]);
        return null;
    }

    public int? Int(JsonElement obj, string name, params object[] loc)
    {
        var value = Get(obj, name);
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetInt32(out var number))
        {
            return number;
        }

        Add("int_type", "Input should be a valid integer", [.. loc, name]);
        return null;
    }
}
