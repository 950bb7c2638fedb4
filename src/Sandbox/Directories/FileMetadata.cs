namespace BatchOrchestrator.Sandbox.Directories;

/// <summary>
/// Directory-file metadata: values are string, number, boolean, null or a list of strings
/// (SDK beta/directories/files.ts metadata type).
/// </summary>
internal static class FileMetadata
{
    public static Dictionary<string, JsonElement>? Read(JsonElement? value, BodyValidator v, string field)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Object)
        {
            v.Add("dict_type", "Input should be a valid dictionary", field);
            return null;
        }

        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in value.Value.EnumerateObject())
        {
            var ok = property.Value.ValueKind switch
            {
                JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => true,
                JsonValueKind.Array => property.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String),
                _ => false,
            };
            if (ok)
            {
                result[property.Name] = property.Value.Clone();
            }
            else
            {
                v.Add("union_type", "Input should be a string, number, boolean, null or list of strings", field, property.Name);
            }
        }

        return result;
    }

    /// <summary>The multipart form sends metadata as a JSON-object string.</summary>
    public static Dictionary<string, JsonElement>? ReadString(string? text, BodyValidator v)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return Read(document.RootElement.Clone(), v, "metadata");
        }
        catch (JsonException)
        {
            v.Add("json_invalid", "Invalid JSON", "metadata");
            return null;
        }
    }
}
