using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// The processing settings a file is sent under, as one comparable text: the job type and, for v2 jobs,
/// the configuration id (<c>parse_v2 cfg-PARSE_AGENTIC</c>). v1 jobs send no configuration id: a v1_parse
/// job's settings are the tier it asks for (<c>v1_parse agentic_plus</c>), a v1_classify job's the job type
/// alone. Every batch row stores the same value (<c>batch.configuration_fingerprint</c>, a generated column,
/// defined now by migration 0064); a Persistence test holds the two definitions equal.
/// </summary>
internal static class ConfigurationFingerprint
{
    /// <summary>
    /// A v1_parse job that asks for no tier is <c>v1_parse</c> alone: no tier's name is empty, so it stays
    /// apart from every named tier, and it is what such a source's batches were recorded under before the
    /// tier counted, so a source that never named one sees nothing change.
    /// </summary>
    public static string Of(string jobType, string configurationId, string? v1ParseTier) => jobType switch
    {
        BatchJobTypes.V1Parse when v1ParseTier is not null => $"{jobType} {v1ParseTier}",
        _ when BatchJobTypes.IsV1(jobType) => jobType,
        _ => $"{jobType} {configurationId}",
    };

    public static string Of(SourceOptions source) => Of(source.JobType, source.ConfigurationId, source.RequestedV1ParseTier);
}
