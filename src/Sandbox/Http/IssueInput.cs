namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// The <c>input</c> of a 422 issue, which pydantic writes after <c>msg</c>: the value found at the issue's
/// <c>loc</c>. A missing field's input is the object that lacks it, as pydantic reports it; a query parameter's
/// is its text. Where the Sandbox keeps no copy of what was sent (a multipart form, a body that is not JSON),
/// it writes null rather than a guess.
/// </summary>
internal static class IssueInput
{
    /// <summary>Where <see cref="JsonBody"/> leaves the parsed body of the request.</summary>
    public const string BodyKey = "sandbox.json-body";

    public static void Write(Utf8JsonWriter writer, HttpContext context, IReadOnlyList<object> loc)
    {
        writer.WritePropertyName("input");
        if (loc is ["body", ..] && context.Items.TryGetValue(BodyKey, out var stored) && stored is JsonElement body)
        {
            At(body, loc).WriteTo(writer);
        }
        else if (loc is ["query", string item, int index] && Query.AsSent(context.Request, item) is { } values && index < values.Count)
        {
            writer.WriteStringValue(values[index]); // one item of a list parameter
        }
        else if (loc is ["query", string name, ..] && Query.AsSent(context.Request, name) is [.., var text])
        {
            writer.WriteStringValue(text); // the last of repeated keys, as FastAPI reads a single value; "" when sent empty
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    /// <summary>Walks <paramref name="loc"/> after <c>body</c>; stops at the last value that exists.</summary>
    private static JsonElement At(JsonElement body, IReadOnlyList<object> loc)
    {
        var node = body;
        foreach (var part in loc.Skip(1))
        {
            if (part is int index && node.ValueKind == JsonValueKind.Array && index < node.GetArrayLength())
            {
                node = node[index];
            }
            else if (part is string name && node.ValueKind == JsonValueKind.Object && node.TryGetProperty(name, out var child))
            {
                node = child;
            }
            else
            {
                break;
            }
        }

        return node;
    }
}
