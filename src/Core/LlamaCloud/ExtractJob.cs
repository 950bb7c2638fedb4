using System.Text.Json;

namespace BatchOrchestrator.Core.LlamaCloud;

// GET /api/v2/extract/{id} (docs/llamacloud-api.md §7; SDK src/resources/extract.ts ExtractV2Job).

/// <summary>
/// An extract job; <see cref="ExtractResult"/> is an object (per_doc) or an array (per_page, per_table_row)
/// once COMPLETED. <see cref="Usage"/> with expand=usage; <see cref="Metadata"/> carries
/// <c>usage.num_pages_billed</c> (docs/llamacloud-api.md §7).
/// </summary>
internal sealed record ExtractJob(
    string Id,
    string Status,
    string? FileInput = null,
    string? ConfigurationId = null,
    string? ErrorMessage = null,
    JsonElement? ExtractResult = null,
    JsonElement? ExtractMetadata = null,
    JobUsage? Usage = null,
    JsonElement? Metadata = null,
    ExtractJobConfiguration? Configuration = null,
    DateTimeOffset? CreatedAt = null,
    DateTimeOffset? UpdatedAt = null);

/// <summary>
/// The configuration an extract job ran with (<c>expand=configuration</c>; SDK 2.16.0 <c>ExtractConfiguration</c>):
/// its tiers are what the job was billed at, which a cached tier of a saved configuration may no longer be.
/// </summary>
internal sealed record ExtractJobConfiguration(string? Tier = null, string? ParseTier = null);
