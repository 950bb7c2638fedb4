using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// The v1-only source settings: <c>page_size</c> and <c>continue_as_new_threshold</c> exist only in directory
/// mode (docs/llamacloud-api.md §3.2); a parse tier only for v1_parse, and only one the price model knows; classify
/// rules only for v1_classify.
/// </summary>
internal static class V1SourceChecks
{
    public static IEnumerable<string> Validate(SourceOptions source, string key)
    {
        if (source.RequestedV1ParseTier is { } tier)
        {
            if (source.JobType != BatchJobTypes.V1Parse)
            {
                yield return $"{key}:V1ParseTier: is only for v1_parse, not {source.JobType}";
            }
            else if (!V1ParseTiers.All.Contains(tier))
            {
                yield return $"{key}:V1ParseTier: '{tier}' must be one of {string.Join(", ", V1ParseTiers.All)} (or empty for the service's default)";
            }
        }

        if (source.ClassifyRules.Count > 0 && source.JobType != BatchJobTypes.V1Classify)
        {
            // Never sent for another job type: a source meant to classify but left at parse would parse silently.
            yield return $"{key}:ClassifyRules: are only for v1_classify, not {source.JobType}";
        }

        foreach (var (name, value) in new[] { ("V1PageSize", source.V1PageSize), ("V1ContinueAsNewThreshold", source.V1ContinueAsNewThreshold) })
        {
            if (value is null)
            {
                continue;
            }

            if (value <= 0)
            {
                yield return $"{key}:{name}: {value} must be positive (or empty for the service's default)";
            }
            else if (!BatchJobTypes.IsV1(source.JobType))
            {
                yield return $"{key}:{name}: is only for the v1 job types (v1_parse, v1_classify), not {source.JobType}";
            }
            else if (source.V1Scope != V1Scope.Directory)
            {
                yield return $"{key}:{name}: is only for V1Scope Directory (the API reads it in directory mode only)";
            }
        }
    }
}
