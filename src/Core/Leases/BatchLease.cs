namespace BatchOrchestrator.Core.Leases;

/// <summary>
/// The lease guarding one batch's local steps (upload, submit): without it, a step handed out again
/// by the stalled-step sweep could overlap a slow first attempt and create things twice.
/// </summary>
internal static class BatchLease
{
    /// <summary>What every batch lease's name starts with; the batch's id follows.</summary>
    public const string Prefix = "batch:";

    /// <summary>What the lease of a batch's follow-up step is named by, before the batch's id.</summary>
    public const string FollowUpPrefix = "follow-up:";

    public static string Name(long batchId) => Prefix + batchId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string FollowUpName(long batchId) => FollowUpPrefix + batchId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
