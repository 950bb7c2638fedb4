namespace BatchOrchestrator.Core.Leases;

/// <summary>
/// The lease guarding one batch's local steps (upload, submit): without it, a step handed out again
/// by the stalled-step sweep could overlap a slow first attempt and create things twice.
/// </summary>
internal static class BatchLease
{
    /// <summary>What every batch lease's name starts with; the batch's id follows.</summary>
    public const string Prefix = "batch:";

    public static string Name(long batchId) => Prefix + batchId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
