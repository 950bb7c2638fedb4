using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// The processing settings a file is sent under, as one comparable text: the job type and, for v2 jobs,
/// the configuration id (<c>parse_v2 cfg-PARSE_AGENTIC</c>). v1 jobs send no configuration id, so theirs
/// is the job type alone. Every batch row stores the same value (<c>batch.configuration_fingerprint</c>, a
/// generated column of migration 0040); a Persistence test holds the two definitions equal.
/// </summary>
internal static class ConfigurationFingerprint
{
    public static string Of(string jobType, string configurationId) =>
        BatchJobTypes.IsV1(jobType) ? jobType : $"{jobType} {configurationId}";

    public static string Of(SourceOptions source) => Of(source.JobType, source.ConfigurationId);
}
