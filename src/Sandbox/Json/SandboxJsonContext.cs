using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using BatchOrchestrator.Sandbox.Batches;
using BatchOrchestrator.Sandbox.Configurations;
using BatchOrchestrator.Sandbox.Directories;
using BatchOrchestrator.Sandbox.Extract;
using BatchOrchestrator.Sandbox.Files;
using BatchOrchestrator.Sandbox.Parse;
using BatchOrchestrator.Sandbox.V1Batches;
using BatchOrchestrator.Sandbox.Webhooks;

namespace BatchOrchestrator.Sandbox.Json;

/// <summary>Source-generated serialization for every response, snake_case like the API.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(DirectoryDto))]
[JsonSerializable(typeof(CursorPage<DirectoryDto>))]
[JsonSerializable(typeof(DirectoryFileDto))]
[JsonSerializable(typeof(CursorPage<DirectoryFileDto>))]
[JsonSerializable(typeof(FileDto))]
[JsonSerializable(typeof(CursorPage<FileDto>))]
[JsonSerializable(typeof(PresignedUrlDto))]
[JsonSerializable(typeof(BatchDto))]
[JsonSerializable(typeof(CursorPage<BatchDto>))]
[JsonSerializable(typeof(ParseJobDto))]
[JsonSerializable(typeof(CursorPage<ParseJobDto>))]
[JsonSerializable(typeof(ParseResultDto))]
[JsonSerializable(typeof(DeletedJobDto))]
[JsonSerializable(typeof(ParseVersionsDto))]
[JsonSerializable(typeof(ExtractJobDto))]
[JsonSerializable(typeof(CursorPage<ExtractJobDto>))]
[JsonSerializable(typeof(ConfigurationDto))]
[JsonSerializable(typeof(CursorPage<ConfigurationDto>))]
[JsonSerializable(typeof(WebhookConfigDto))]
[JsonSerializable(typeof(IReadOnlyList<WebhookConfigDto>))]
[JsonSerializable(typeof(V1JobDto))]
[JsonSerializable(typeof(V1JobStatusDto))]
[JsonSerializable(typeof(V1Page<V1JobDto>))]
[JsonSerializable(typeof(V1Page<V1ItemDto>))]
[JsonSerializable(typeof(V1CancelDto))]
[JsonSerializable(typeof(V1ProcessingResultsDto))]
[JsonSerializable(typeof(ClassifierResultsDto))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class SandboxJsonContext : JsonSerializerContext;
