namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Names of <see cref="BatchJobType"/>: in configuration and in <c>batch.job_type</c>
/// (<c>parse_v2</c>, <c>extract_v2</c>, <c>v1_parse</c>, <c>v1_classify</c>), and on the wire.
/// </summary>
internal static class BatchJobTypes
{
    public const string V1Parse = "v1_parse";
    public const string V1Classify = "v1_classify";

    public static string ToApi(this BatchJobType type) => type switch
    {
        BatchJobType.ParseV2 => "parse_v2",
        BatchJobType.ExtractV2 => "extract_v2",
        BatchJobType.V1Parse => V1Parse,
        BatchJobType.V1Classify => V1Classify,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static BatchJobType? Parse(string? value) => value switch
    {
        "parse_v2" => BatchJobType.ParseV2,
        "extract_v2" => BatchJobType.ExtractV2,
        V1Parse => BatchJobType.V1Parse,
        V1Classify => BatchJobType.V1Classify,
        _ => null,
    };

    /// <summary>True for the legacy v1 batch-processing kinds.</summary>
    public static bool IsV1(string jobType) => jobType is V1Parse or V1Classify;

    /// <summary>The v1 API's own <c>job_type</c> (<c>parse</c> or <c>classify</c>).</summary>
    public static string V1ApiType(string jobType) => jobType == V1Classify ? "classify" : "parse";
}
