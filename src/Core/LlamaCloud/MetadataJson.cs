using System.Text.Json.Serialization;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>Serialises upload metadata (a flat string map) without reflection.</summary>
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class MetadataJson : JsonSerializerContext;
