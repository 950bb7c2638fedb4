namespace BatchOrchestrator.Sandbox.Json;

/// <summary>Shared immutable JSON values.</summary>
internal static class EmptyJson
{
    public static readonly JsonElement Object = Parse("{}");

    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
