namespace BatchOrchestrator.Persistence.Batches;

/// <summary>
/// The configuration a version counts as processed under, for "under an older configuration" (docs/operations.md,
/// "Reprocessing after a configuration change"): its batch's fingerprint, or, for a batch of escalations, the fingerprint
/// of the batch that sent the version first. A fallback batch's fingerprint names the fallback, never the source's own
/// configuration: compared as it was, every file the fallback rescued counted as older for good, and a reprocess sent it
/// to the fallback again, at its (dearer) price, each time it was asked (docs/costs.md, "Cheap tier first").
/// </summary>
internal static class ProcessedUnder
{
    /// <summary>
    /// The SQL expression of the fingerprint, for batch alias <paramref name="batch"/> and version alias <paramref name="version"/>.
    /// Callers compare the batch's own fingerprint first (indexed): a batch under the current configuration is current
    /// either way, a fallback's whose configuration became the source's own included.
    /// </summary>
    public static string Fingerprint(string batch, string version) => $"""
        case when {batch}.escalation then coalesce((
            select earlier.configuration_fingerprint
            from orchestrator.batch_result sent join orchestrator.batch earlier on earlier.id = sent.batch_id
            where sent.file_version_id = {version}.id and sent.batch_id < {batch}.id and not earlier.escalation
            order by sent.batch_id desc limit 1), {batch}.configuration_fingerprint)
        else {batch}.configuration_fingerprint end
        """;
}
