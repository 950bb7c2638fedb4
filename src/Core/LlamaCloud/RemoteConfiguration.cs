using System.Text.Json;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// A saved configuration (<c>GET /api/v1/beta/configurations/{id}</c>; docs/llamacloud-api.md §8): its
/// product type, its <c>version</c> ("datetime string", our fingerprint) and its parameters, where a
/// parse configuration names <c>tier</c> and an extract one <c>tier</c> and <c>parse_tier</c>.
/// </summary>
internal sealed record RemoteConfiguration(string Id, string Name, string ProductType, string Version, JsonElement Parameters, DateTimeOffset? UpdatedAt = null);
