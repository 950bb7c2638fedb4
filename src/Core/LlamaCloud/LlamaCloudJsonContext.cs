using System.Text.Json.Serialization;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Source-generated, snake_case, nulls omitted on write: the wire format of every LlamaCloud SDK. Strings are read without
/// NUL characters (<see cref="NulFreeStrings"/>).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(NulFreeStrings)])]
[JsonSerializable(typeof(RemoteBatch))]
[JsonSerializable(typeof(CursorPage<RemoteBatch>))]
[JsonSerializable(typeof(CreateBatchRequest))]
[JsonSerializable(typeof(RemoteDirectory))]
[JsonSerializable(typeof(CursorPage<RemoteDirectory>))]
[JsonSerializable(typeof(CreateDirectoryRequest))]
[JsonSerializable(typeof(RemoteDirectoryFile))]
[JsonSerializable(typeof(CursorPage<RemoteDirectoryFile>))]
[JsonSerializable(typeof(ParseJobResult))]
[JsonSerializable(typeof(ExtractJob))]
[JsonSerializable(typeof(V1BatchJob))]
[JsonSerializable(typeof(V1BatchJobStatus))]
[JsonSerializable(typeof(V1Page<V1BatchJob>))]
[JsonSerializable(typeof(V1Page<V1Item>))]
[JsonSerializable(typeof(V1CreateRequest))]
[JsonSerializable(typeof(V1CancelRequest))]
[JsonSerializable(typeof(V1CancelResponse))]
[JsonSerializable(typeof(ClassifierResults))]
[JsonSerializable(typeof(ClassifyResult))]
[JsonSerializable(typeof(CursorPage<ProductJob>))]
[JsonSerializable(typeof(CursorPage<ExtractJob>))]
[JsonSerializable(typeof(ProductJob))]
[JsonSerializable(typeof(CreateParseJobRequest))]
[JsonSerializable(typeof(RemoteConfiguration))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
internal sealed partial class LlamaCloudJsonContext : JsonSerializerContext;
