namespace BatchOrchestrator.Sandbox.Webhooks;

/// <summary>The webhook event enum (SDK batches.ts WebhookConfiguration.webhook_events).</summary>
internal static class WebhookEvents
{
    public static readonly IReadOnlyList<string> All =
    [
        "batch.cancelled", "batch.error", "batch.pending", "batch.running", "batch.success",
        "classify.cancelled", "classify.error", "classify.partial_success", "classify.pending", "classify.running", "classify.success",
        "extract.cancelled", "extract.error", "extract.partial_success", "extract.pending", "extract.success",
        "parse.cancelled", "parse.error", "parse.partial_success", "parse.pending", "parse.running", "parse.success",
        "sheets.cancelled", "sheets.error", "sheets.partial_success", "sheets.pending", "sheets.success",
        "split.cancelled", "split.error", "split.pending", "split.processing", "split.success",
        "unmapped_event",
    ];

    /// <summary>
    /// Status → event suffix: PENDING→pending, RUNNING→running, COMPLETED→success, FAILED→error,
    /// CANCELLED→cancelled; THROTTLED has no event in the enum. Extract has no running event.
    /// </summary>
    public static string? For(string product, string status)
    {
        var suffix = status switch
        {
            "PENDING" => "pending",
            "RUNNING" when product != "extract" => "running",
            "COMPLETED" => "success",
            "FAILED" => "error",
            "CANCELLED" => "cancelled",
            _ => null,
        };
        return suffix is null ? null : $"{product}.{suffix}";
    }
}
