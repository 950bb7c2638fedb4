namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// <c>POST /api/v2/parse</c> over a stored file (docs/llamacloud-api.md §6.1; SDK 2.16.0
/// <c>resources/parsing.d.ts</c>, <c>ParsingCreateParams</c>: <c>tier</c> and <c>version</c> are required
/// without a saved configuration). We send it only as the credit probe (<see cref="PauseProbe"/>).
/// </summary>
internal sealed record CreateParseJobRequest(string Tier, string Version, string FileId);
