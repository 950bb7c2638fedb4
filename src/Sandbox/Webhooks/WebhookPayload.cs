using System.Security.Cryptography;
using System.Text;

namespace BatchOrchestrator.Sandbox.Webhooks;

/// <summary>
/// The delivery body and signature. The payload schema is undocumented (docs/llamacloud-api.md §1.6 [?]);
/// the guess is <c>{"event_type": "batch.success", "data": {…the resource…}}</c>, kept in this
/// one place so it is easy to change. "string" output (the default) sends that JSON as a JSON
/// string; "json" sends the object.
/// </summary>
internal static class WebhookPayload
{
    public static byte[] Body(string eventType, JsonElement data, string outputFormat)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("event_type", eventType);
            writer.WritePropertyName("data");
            data.WriteTo(writer);
            writer.WriteEndObject();
        }

        var json = buffer.ToArray();
        return outputFormat == "json"
            ? json
            : JsonSerializer.SerializeToUtf8Bytes(Encoding.UTF8.GetString(json), Json.SandboxJsonContext.Default.String);
    }

    /// <summary><c>sha256=&lt;hex HMAC-SHA256 of the raw body&gt;</c> (SDK webhook_signing_secret docs).</summary>
    public static string Signature(string secret, byte[] body)
        => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
