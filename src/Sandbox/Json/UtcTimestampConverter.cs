using System.Globalization;
using System.Text.Json.Serialization;

namespace BatchOrchestrator.Sandbox.Json;

/// <summary>
/// Writes timestamps as UTC ISO-8601 with microseconds and a 'Z', the way the Stainless mock
/// server and a Python backend print them (docs/llamacloud-api.md §1.4); reads any ISO-8601 offset.
/// </summary>
internal sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
        => writer.WriteStringValue(Format(value));

    public static string Format(DateTimeOffset value)
        => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
