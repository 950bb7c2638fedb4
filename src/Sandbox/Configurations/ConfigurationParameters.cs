using BatchOrchestrator.Sandbox.Parse;
using BatchOrchestrator.Sandbox.Webhooks;

namespace BatchOrchestrator.Sandbox.Configurations;

/// <summary>
/// Validates <c>parameters</c>, a union discriminated by <c>product_type</c> (TS SDK 2.16.0
/// <c>resources/configurations.d.ts</c>; docs/llamacloud-api.md §8): parse_v2 needs tier and version and takes the
/// parse options (<see cref="ParseOptions"/>), extract_v2 a data_schema, classify_v2 its rules, split_v1 its
/// categories; spreadsheet_v1's choices are literals. The formats the doc comments state for string fields (page
/// selections, extract's version) are checked too (<see cref="StringFormats"/>). Fields typed <c>name?: T</c> (optional, never null) refuse an explicit null.
/// </summary>
internal static class ConfigurationParameters
{
    public static readonly IReadOnlyList<string> ProductTypes = ["classify_v2", "extract_v2", "parse_v2", "split_v1", "spreadsheet_v1", "unknown"];

    public static readonly IReadOnlyList<string> ParseTiers = ["fast", "cost_effective", "agentic", "agentic_plus"];

    private static readonly IReadOnlyList<string> ExtractTiers = ["cost_effective", "agentic", "agentic_plus", "turbo"];

    private static readonly IReadOnlyList<string> ExtractionTargets = ["per_doc", "per_page", "per_table_row"];

    /// <summary>Returns the product type, or null (with issues added) when the parameters are invalid.</summary>
    public static string? Validate(JsonElement parameters, BodyValidator v, SandboxGuesses guesses, params object[] loc)
    {
        var productType = v.Literal(parameters, "product_type", ProductTypes, required: true, loc);
        switch (productType)
        {
            case "parse_v2":
                var tier = v.Literal(parameters, "tier", ParseTiers, required: true, loc);
                var version = v.NonEmptyString(parameters, "version", required: true, loc);
                if (tier is not null)
                {
                    v.Format(version, text => ParseVersions.Problem(text, tier), [.. loc, "version"]);
                }

                ParseOptions.Check(parameters, v, guesses, loc);
                ValidateParseWebhooks(parameters, v, loc);
                break;
            case "extract_v2":
                ValidateExtract(parameters, v, loc);
                break;
            case "classify_v2":
                ValidateClassify(parameters, v, loc);
                break;
            case "split_v1":
                ValidateSplit(parameters, v, loc);
                break;
            case "spreadsheet_v1":
                v.NeverNullLiteral(parameters, "tier", ["agentic", "cost_effective"], loc);
                v.NeverNullLiteral(parameters, "table_merge_sensitivity", ["strong", "weak"], loc);
                foreach (var name in new[] { "flatten_hierarchical_tables", "generate_additional_metadata", "include_hidden_cells", "use_experimental_processing" })
                {
                    v.NeverNullBool(parameters, name, loc);
                }

                v.StringArray(parameters, "sheet_names", loc);
                v.String(parameters, "extraction_range", required: false, loc);
                v.String(parameters, "specialization", required: false, loc);
                break;
            default:
                break; // "unknown" takes any fields alongside product_type
        }

        return v.IsValid ? productType : null;
    }

    /// <summary><c>ParseV2Parameters</c>' webhooks: saved ids, and inline items typed as the parse create types them.</summary>
    private static void ValidateParseWebhooks(JsonElement parameters, BodyValidator v, object[] loc)
    {
        v.StringArray(parameters, "webhook_configuration_ids", loc);
        v.RefuseNull(parameters, "webhook_configurations", "list_type", "Input should be a valid list", loc); // "webhook_configurations?: Array<…>"
        var inline = v.Array(parameters, "webhook_configurations", loc) ?? [];
        for (var i = 0; i < inline.Count; i++)
        {
            WebhookConfigurations.ReadOne(inline[i], v, urlRequired: false, WebhookFieldTypes.Parse, [.. loc, "webhook_configurations", i]);
        }
    }

    /// <summary>An extract configuration (saved or inline on POST /api/v2/extract).</summary>
    public static void ValidateExtract(JsonElement configuration, BodyValidator v, params object[] loc)
    {
        v.Object(configuration, "data_schema", required: true, loc);
        var tier = v.NeverNullLiteral(configuration, "tier", ExtractTiers, loc);
        v.NeverNullLiteral(configuration, "extraction_target", ExtractionTargets, loc);
        v.Literal(configuration, "parse_tier", ParseTiers, required: false, loc); // "| null": null is no choice
        foreach (var name in new[] { "cite_sources", "confidence_scores", "disable_cache", "spreadsheet_mode" })
        {
            v.NeverNullBool(configuration, name, loc);
        }

        // "Requires the agentic_plus tier" (SDK extract.ts, spreadsheet_mode); the extract tier defaults to agentic when unnamed.
        if (configuration.ValueKind == JsonValueKind.Object && configuration.TryGetProperty("spreadsheet_mode", out var spreadsheet) && spreadsheet.ValueKind == JsonValueKind.True
            && tier != "agentic_plus")
        {
            v.Add("value_error", "spreadsheet_mode requires the agentic_plus tier", [.. loc, "spreadsheet_mode"]);
        }

        foreach (var name in new[] { "parse_config_id", "system_prompt" })
        {
            v.String(configuration, name, required: false, loc);
        }

        // "Turbo extract does not support parse configuration or produce a parse output" (SDK extract.ts, parse_tier and
        // parse_config_id): read as a refusal of either beside tier turbo, as spreadsheet_mode's "Requires" is read above. A null
        // is no choice. A guess: the service might instead ignore them (docs/llamacloud-api.md §7).
        if (tier == "turbo")
        {
            foreach (var name in new[] { "parse_tier", "parse_config_id" })
            {
                if (configuration.TryGetProperty(name, out var parse) && parse.ValueKind != JsonValueKind.Null)
                {
                    v.Add("value_error", $"Turbo extract does not support parse configuration: {name} needs another tier", [.. loc, name]);
                }
            }
        }

        v.Format(v.String(configuration, "target_pages", required: false, loc), UnstatedDuplicates, [.. loc, "target_pages"]);
        v.Format(v.NeverNullString(configuration, "version", loc), StringFormats.ExtractVersion, [.. loc, "version"]);
        v.Int(configuration, "max_pages", loc);
        v.StringArray(configuration, "sheet_names", loc);
    }

    /// <summary><c>ClassifyV2Parameters</c>: rules (at least one, as the SDK's comment says), mode FAST, a parsing configuration.</summary>
    private static void ValidateClassify(JsonElement parameters, BodyValidator v, object[] loc)
    {
        var rules = RequiredList(parameters, "rules", v, loc);
        if (rules is { Count: 0 })
        {
            v.Add(Refusal.TooShort(1, 0), [.. loc, "rules"]);
        }

        foreach (var (rule, i) in (rules ?? []).Select((rule, i) => (rule, i)))
        {
            if (RequireObject(rule, v, [.. loc, "rules", i]))
            {
                v.String(rule, "type", required: true, [.. loc, "rules", i]);
                v.String(rule, "description", required: true, [.. loc, "rules", i]);
            }
        }

        v.NeverNullLiteral(parameters, "mode", ["FAST"], loc);
        if (v.Object(parameters, "parsing_configuration", required: false, loc) is { } parsing)
        {
            object[] at = [.. loc, "parsing_configuration"];
            v.NeverNullString(parsing, "lang", at);
            v.Int(parsing, "max_pages", at);
            v.Format(v.String(parsing, "target_pages", required: false, at), UnstatedDuplicates, [.. at, "target_pages"]);
        }
    }

    /// <summary><c>SplitV1Parameters</c>: categories, each named, and a splitting strategy.</summary>
    private static void ValidateSplit(JsonElement parameters, BodyValidator v, object[] loc)
    {
        foreach (var (category, i) in (RequiredList(parameters, "categories", v, loc) ?? []).Select((category, i) => (category, i)))
        {
            if (RequireObject(category, v, [.. loc, "categories", i]))
            {
                v.String(category, "name", required: true, [.. loc, "categories", i]);
                v.String(category, "description", required: false, [.. loc, "categories", i]);
            }
        }

        v.RefuseNull(parameters, "splitting_strategy", "model_type", "Input should be a valid dictionary or instance of SplittingStrategy", loc);
        if (v.Object(parameters, "splitting_strategy", required: false, loc) is { } strategy)
        {
            object[] at = [.. loc, "splitting_strategy"];
            v.NeverNullLiteral(strategy, "allow_uncategorized", ["forbid", "include", "omit"], at);
            v.String(strategy, "custom_instructions", required: false, at);
            v.Int(strategy, "min_pages_per_split", at);
            v.RefuseNull(strategy, "min_pages_per_split", "int_type", "Input should be a valid integer", at);
        }
    }

    /// <summary>
    /// Extract's and classify's <c>target_pages</c>: "Comma-separated page numbers or ranges to process (1-based)". Ranges
    /// are read as parse's comment writes them (<c>5-8</c>, a guess: this one shows none), and a page named twice is
    /// taken, since only parse's comment speaks of duplicates.
    /// </summary>
    private static string? UnstatedDuplicates(string pages) => StringFormats.PageSelection(pages, duplicatesRefused: false);

    private static IReadOnlyList<JsonElement>? RequiredList(JsonElement obj, string name, BodyValidator v, object[] loc)
    {
        if (!BodyValidator.Has(obj, name))
        {
            v.Add("missing", "Field required", [.. loc, name]);
            return null;
        }

        v.RefuseNull(obj, name, "list_type", "Input should be a valid list", loc);
        return v.Array(obj, name, loc);
    }

    private static bool RequireObject(JsonElement item, BodyValidator v, object[] at)
    {
        if (item.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        v.Add("model_type", "Input should be a valid dictionary or object to extract fields from", at);
        return false;
    }
}
