using BatchOrchestrator.Sandbox.Parse;
using static BatchOrchestrator.Sandbox.Http.JsonShape;

namespace BatchOrchestrator.Sandbox.Configurations;

/// <summary>
/// A configuration's <c>parameters</c> as the service keeps and answers them: the fields its product type declares, at
/// every depth, and no others (TS SDK 2.16.0 <c>resources/configurations.d.ts</c>). pydantic ignores a field its model
/// lacks, so one sent is taken but never answered; only <c>UntypedParameters</c> (<c>product_type: 'unknown'</c>,
/// "arbitrary JSON fields alongside product_type") keeps every field. Call on parameters already checked.
/// </summary>
internal static class StoredParameters
{
    /// <summary><c>ExtractConfiguration</c> (<c>resources/extract.d.ts</c>): an inline extract configuration, and a job's <c>configuration</c>.</summary>
    public static readonly JsonShape ExtractConfiguration = Object(
        ("data_schema", Any), ("cite_sources", Bool), ("confidence_scores", Bool), ("disable_cache", Bool), ("extraction_target", Str),
        ("max_pages", Num), ("parse_config_id", Str), ("parse_tier", Str), ("sheet_names", ListOf(Str)), ("spreadsheet_mode", Bool),
        ("system_prompt", Str), ("target_pages", Str), ("tier", Str), ("version", Str));

    /// <summary><c>ParseV2Parameters.WebhookConfiguration</c>: headers of any value.</summary>
    private static readonly JsonShape ParseWebhook = Object(
        ("webhook_events", ListOf(Str)), ("webhook_headers", MapOf(Any)), ("webhook_output_format", Str), ("webhook_signing_secret", Str), ("webhook_url", Str));

    private static readonly Dictionary<string, JsonShape> ByProductType = new(StringComparer.Ordinal)
    {
        ["parse_v2"] = Object(
            [
                ("product_type", Str), ("tier", Str), ("version", Str), ("webhook_configuration_ids", ListOf(Str)), ("webhook_configurations", ListOf(ParseWebhook)),
                .. ParseOptions.SharedFields,
            ]),
        ["extract_v2"] = Object([("product_type", Str), .. ExtractConfiguration.Fields!.Select(f => (f.Key, f.Value))]),
        ["classify_v2"] = Object(
            ("product_type", Str),
            ("rules", ListOf(Object(("type", Str), ("description", Str)))),
            ("mode", Str),
            ("parsing_configuration", Object(("lang", Str), ("max_pages", Num), ("target_pages", Str)))),
        ["split_v1"] = Object(
            ("product_type", Str),
            ("categories", ListOf(Object(("name", Str), ("description", Str)))), // SplitCategory, resources/beta/split.d.ts
            ("splitting_strategy", Object(("allow_uncategorized", Str), ("custom_instructions", Str), ("min_pages_per_split", Num)))),
        ["spreadsheet_v1"] = Object(
            ("product_type", Str), ("extraction_range", Str), ("flatten_hierarchical_tables", Bool), ("generate_additional_metadata", Bool),
            ("include_hidden_cells", Bool), ("sheet_names", ListOf(Str)), ("specialization", Str), ("table_merge_sensitivity", Str), ("tier", Str),
            ("use_experimental_processing", Bool)),
    };

    /// <summary>The parameters as stored and answered: <paramref name="productType"/>'s declared fields, or all of an <c>unknown</c> one.</summary>
    public static JsonElement Keep(string productType, JsonElement parameters) =>
        ByProductType.TryGetValue(productType, out var shape)
            ? JsonSerializer.SerializeToElement(shape.Keep(parameters), Json.SandboxJsonContext.Default.JsonNode)
            : parameters;
}
