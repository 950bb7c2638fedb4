namespace BatchOrchestrator.Core.Costs;

/// <summary>
/// What a configuration id bills at: its job type (a saved configuration's <c>product_type</c>), its tier
/// and, for extract, the tier its parse runs at. <paramref name="Known"/> is false when neither the preset
/// table nor the API could say: estimates then take the dearest tier of the job type, so a cap still holds.
/// <paramref name="Version"/> is the saved configuration's fingerprint (its <c>version</c>).
/// <paramref name="PageTiers"/> are the other tiers a parse configuration's auto-mode rules parse the pages they match at,
/// and <paramref name="ExtraCreditsPerPage"/> what its options bill on top of the tier for every page (docs/costs.md,
/// "Tier of a configuration").
/// </summary>
internal sealed record ConfigurationTier(
    string JobType, string Tier, string? ParseTier, bool Known, string? Version, string Basis, IReadOnlyList<string>? PageTiers = null, decimal ExtraCreditsPerPage = 0)
{
    /// <summary>A tier no source could name.</summary>
    public static ConfigurationTier Unknown(string jobType, string reason) => new(jobType, "unknown", null, false, null, reason);
}
