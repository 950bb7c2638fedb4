using System.Text.Json.Nodes;

namespace BatchOrchestrator.Sandbox.V1Batches;

/// <summary>One file of a v1 batch job.</summary>
internal sealed class V1ItemRecord
{
    public required string ItemId { get; init; }

    public required string ItemName { get; init; }

    public required StoredContent Content { get; init; }

    /// <summary>The stored file behind the item (a directory file's <c>file_id</c>, or the item itself when it names a stored file).</summary>
    public required string FileId { get; init; }

    /// <summary>SHA-256 of the content: with the job's parameters hash, the key for skip_reason already_processed.</summary>
    public required string ContentHash { get; init; }

    public string Status { get; set; } = V1Status.Pending;

    public string? JobId { get; set; }

    public string? SkipReason { get; set; }

    public string? ErrorMessage { get; set; }

    public string? PlannedFailure { get; set; }

    public JsonObject? OutputMetadata { get; set; }

    /// <summary>A classify item's result (<c>{type, confidence, reasoning}</c>), served by the classifier job named in <see cref="JobId"/>.</summary>
    public JsonObject? Classification { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public V1ItemDto ToDto() => new(ItemId, ItemName, Status, JobId, SkipReason, ErrorMessage, StartedAt, CompletedAt, StartedAt, null);
}
