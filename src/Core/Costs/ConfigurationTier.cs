namespace BatchOrchestrator.Core.Costs;

/// <summary>
/// What a configuration id bills at: its job type (a saved configuration's <c>product_type</c>), its tier
/// and, for extract, the tier its parse runs at. <paramref name="Known"/> is false when neither the preset
/// table nor the API could say: estimates then take the dearest tier of the job type, so a cap still holds.
/// <paramref name="Version"/> is the saved configuration's fingerprint (its <c>version</c>).
/// </summary>
internal sealed record ConfigurationTier(string JobType, string Tier, string? ParseTier, bool Known, string? Version, string Basis)
{
    /// <summary>A tier no source could name.</summary>
    public static ConfigurationTier Unknown(string jobType, string reason) => new(jobType, "unknown", null, false, null, reason);
}
