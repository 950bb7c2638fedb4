using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace BatchOrchestrator.Sandbox.Extract;

/// <summary>
/// Builds an <c>extract_result</c> shaped by a JSON Schema: objects get every property, arrays
/// one element, enums their first value; a string field takes the text after "Field name:" on a
/// line of the document when there is one, otherwise a value derived from the field and document,
/// so the same document and schema always give the same result. The SDK types <c>data_schema</c> as any
/// object, and its own example is the shorthand of properties alone (<c>{ name: { type: 'string' } }</c>):
/// an object with no schema keyword whose members are all objects is read as those properties. Whatever the
/// schema, the result is an object, as the SDK types <c>extract_result</c> (docs/llamacloud-api.md, §7).
/// </summary>
internal sealed class SchemaFiller(JsonElement root, string documentText, string documentName)
{
    private const int MaxDepth = 8;
    // The keywords whose value is an object in a schema: an object holding one of them is a schema, not the shorthand.
    private static readonly string[] ObjectKeywords = ["properties", "items", "$defs", "definitions", "additionalProperties", "patternProperties", "not", "if", "then", "else"];

    public JsonObject Fill() => Fill(root, "document", 0) as JsonObject ?? [];

    private JsonNode? Fill(JsonElement schema, string field, int depth)
    {
        if (schema.ValueKind != JsonValueKind.Object || depth > MaxDepth)
        {
            return null;
        }

        if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String && Resolve(reference.GetString()) is { } target)
        {
            return Fill(target, field, depth + 1);
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            return JsonNode.Parse(constant.GetRawText());
        }

        if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0)
        {
            return JsonNode.Parse(values[0].GetRawText());
        }

        foreach (var union in new[] { "anyOf", "oneOf", "allOf" })
        {
            if (schema.TryGetProperty(union, out var branches) && branches.ValueKind == JsonValueKind.Array)
            {
                var branch = branches.EnumerateArray().FirstOrDefault(b => b.ValueKind == JsonValueKind.Object && TypeOf(b) != "null");
                return Fill(branch, field, depth + 1);
            }
        }

        return TypeOf(schema) switch
        {
            "object" => FillObject(schema, depth),
            "array" => new JsonArray(schema.TryGetProperty("items", out var items) ? Fill(items, field, depth + 1) : null),
            "integer" => JsonValue.Create(Hash(field) % 1000),
            "number" => JsonValue.Create(Math.Round(Hash(field) % 100_000 / 100.0, 2)),
            "boolean" => JsonValue.Create(Hash(field) % 2 == 0),
            "null" => null,
            _ => JsonValue.Create(StringFor(schema, field)),
        };
    }

    private JsonObject FillObject(JsonElement schema, int depth)
    {
        var result = new JsonObject();
        var properties = IsShorthand(schema) ? schema : schema.TryGetProperty("properties", out var listed) ? listed : default;
        if (properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in properties.EnumerateObject())
            {
                result[property.Name] = Fill(property.Value, property.Name, depth + 1);
            }
        }

        return result;
    }

    /// <summary>
    /// Properties alone: every member an object, and none a keyword whose value is one (every other keyword's value is a
    /// string, a number or a list, so a property named <c>type</c> whose value is an object is a property).
    /// </summary>
    private static bool IsShorthand(JsonElement schema) =>
        schema.EnumerateObject().Any()
        && schema.EnumerateObject().All(m => m.Value.ValueKind == JsonValueKind.Object && !ObjectKeywords.Contains(m.Name, StringComparer.Ordinal));

    private string StringFor(JsonElement schema, string field)
    {
        var format = schema.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        switch (format)
        {
            case "date":
                return new DateOnly(2026, 1, 1).AddDays((int)(Hash(field) % 365)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            case "date-time":
                return new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(Hash(field) % 525_600).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            case "email":
                return $"{field.ToLowerInvariant()}@example.com";
            default:
                break;
        }

        var label = field.Replace('_', ' ');
        foreach (var line in documentText.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length > label.Length + 1
                && trimmed.StartsWith(label, StringComparison.OrdinalIgnoreCase)
                && trimmed[label.Length] == ':')
            {
                return trimmed[(label.Length + 1)..].Trim();
            }
        }

        return $"{label} of {documentName}";
    }

    private JsonElement? Resolve(string? reference)
    {
        if (reference is null || !reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return null;
        }

        var current = root;
        foreach (var part in reference[2..].Split('/'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current;
    }

    private static string TypeOf(JsonElement schema)
    {
        if (IsShorthand(schema))
        {
            return "object";
        }

        if (!schema.TryGetProperty("type", out var type))
        {
            return schema.TryGetProperty("properties", out _) ? "object" : "string";
        }

        return type.ValueKind switch
        {
            JsonValueKind.Array => type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()).FirstOrDefault(t => t != "null") ?? "null",
            JsonValueKind.String => type.GetString()!,
            _ => "string",
        };
    }

    private long Hash(string field)
        => (long)(BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"{documentName}\n{field}\n{documentText.Length}"))) % int.MaxValue);
}
