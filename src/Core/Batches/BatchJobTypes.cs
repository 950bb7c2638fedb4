namespace BatchOrchestrator.Core.Batches;

/// <summary>Wire names of <see cref="BatchJobType"/>.</summary>
internal static class BatchJobTypes
{
    public static string ToApi(this BatchJobType type) => type switch
    {
        BatchJobType.ParseV2 => "parse_v2",
        BatchJobType.ExtractV2 => "extract_v2",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static BatchJobType? Parse(string? value) => value switch
    {
        "parse_v2" => BatchJobType.ParseV2,
        "extract_v2" => BatchJobType.ExtractV2,
        _ => null,
    };
}
