using System.Text.Json;
using System.Text.Json.Serialization;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Every string LlamaCloud answers with, read without its NUL characters. PostgreSQL's text cannot hold one, and LlamaCloud's
/// texts may quote a document (a job's or a failed page's error, a file's name, parsed text): stored as it came, one such
/// character failed the whole statement it was in, the record step's or the follow-up's, at every attempt, so its batch never
/// ended. Nothing of ours means anything by a NUL inside a text.
/// </summary>
internal sealed class NulFreeStrings : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return text is not null && text.Contains('\0', StringComparison.Ordinal) ? text.Replace("\0", "", StringComparison.Ordinal) : text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
