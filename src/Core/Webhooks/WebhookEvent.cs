using System.Text.Json;

namespace BatchOrchestrator.Core.Webhooks;

/// <summary>
/// The little a receiver needs from a delivery: the event type and the id of the batch or job it is
/// about. The payload schema is undocumented (docs/llamacloud-api.md §1.6, §11.1); the shape read is
/// <c>{"event_type": "batch.success", "data": {"id": …, "status": …}}</c>, sent as an object or, with
/// output format "string" (the API's default), as a JSON string holding that object. A top-level
/// <c>id</c> is accepted too. Nothing else in it is trusted: the poll that follows reads the truth.
/// </summary>
internal sealed record WebhookEvent(string EventType, string SubjectId)
{
    public bool IsBatchEvent => EventType.StartsWith("batch.", StringComparison.Ordinal);

    public static WebhookEvent? TryRead(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.String)
            {
                using var inner = JsonDocument.Parse(root.GetString() ?? "");
                return Read(inner.RootElement);
            }

            return Read(root);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static WebhookEvent? Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var eventType = Text(root, "event_type") ?? Text(root, "event");
        var subject = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? Text(data, "id") : null;
        subject ??= Text(root, "id");
        return eventType is null || subject is null ? null : new WebhookEvent(eventType, subject);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
