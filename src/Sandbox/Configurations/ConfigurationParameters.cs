namespace BatchOrchestrator.Sandbox.Configurations;

/// <summary>
/// Validates <c>parameters</c>, a union discriminated by <c>product_type</c>: parse_v2 needs tier
/// and version, extract_v2 a data_schema (SDK configurations.ts; docs/llamacloud-api.md §8).
/// </summary>
internal static class ConfigurationParameters
{
    public static readonly IReadOnlyList<string> ProductTypes = ["classify_v2", "extract_v2", "parse_v2", "split_v1", "spreadsheet_v1", "unknown"];

    public static readonly IReadOnlyList<string> ParseTiers = ["fast", "cost_effective", "agentic", "agentic_plus"];

    private static readonly IReadOnlyList<string> ExtractTiers = ["cost_effective", "agentic", "agentic_plus", "turbo"];

    private static readonly IReadOnlyList<string> ExtractionTargets = ["per_doc", "per_page", "per_table_row"];

    /// <summary>Returns the product type, or null (with issues added) when the parameters are invalid.</summary>
    public static string? Validate(JsonElement parameters, BodyValidator v, params object[] loc)
    {
        var productType = v.Literal(parameters, "product_type", ProductTypes, required: true, loc);
        switch (productType)
        {
            case "parse_v2":
                v.Literal(parameters, "tier", ParseTiers, required: true, loc);
                v.NonEmptyString(parameters, "version", required: true, loc);
                break;
            case "extract_v2":
                ValidateExtract(parameters, v, loc);
                break;
            default:
                break;
        }

        return v.IsValid ? productType : null;
    }

    /// <summary>An extract configuration (saved or inline on POST /api/v2/extract).</summary>
    public static void ValidateExtract(JsonElement configuration, BodyValidator v, params object[] loc)
    {
        v.Object(configuration, "data_schema", required: true, loc);
        v.Literal(configuration, "tier", ExtractTiers, required: false, loc);
        v.Literal(configuration, "extraction_target", ExtractionTargets, required: false, loc);
    }
}
