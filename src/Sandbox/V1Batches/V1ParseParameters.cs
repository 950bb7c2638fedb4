using BatchOrchestrator.Sandbox.Webhooks;

namespace BatchOrchestrator.Sandbox.V1Batches;

/// <summary>
/// The v1 parse variant's <c>parameters</c> as the SDK types them (TS SDK 2.13.0 <c>resources/beta/batch/batch.d.ts</c>,
/// <c>BatchParseJobRecordCreate.Parameters</c>, 124 fields): each field's JSON type, its allowed values where the SDK
/// lists them, and whether it may be null. A field not listed is one the SDK's types refuse.
/// </summary>
internal static class V1ParseParameters
{
    private static readonly string[] Booleans =
    [
        "adaptive_long_table", "aggressive_table_extraction", "annotate_links", "auto_mode",
        "auto_mode_trigger_on_image_in_page", "auto_mode_trigger_on_table_in_page", "compact_markdown_table",
        "continuous_mode", "disable_image_extraction", "disable_ocr", "disable_reconstruction", "do_not_cache",
        "do_not_unroll_columns", "enable_cost_optimizer", "extract_charts", "extract_layout",
        "extract_printed_page_number", "fast_mode", "gpt4o_mode", "guess_xlsx_sheet_name", "hide_footers",
        "hide_headers", "high_res_ocr", "html_make_all_elements_visible", "html_remove_fixed_elements",
        "html_remove_navigation_elements", "ignore_document_elements_for_layout_detection",
        "inline_images_in_markdown", "internal_is_screenshot_job", "invalidate_cache", "is_formatting_instruction",
        "keep_page_separator_when_merging_tables", "layout_aware", "line_level_bounding_box",
        "merge_tables_across_pages_in_markdown", "outlined_table_extraction", "output_pdf_of_document",
        "precise_bounding_box", "premium_mode", "presentation_out_of_bounds_content",
        "presentation_skip_embedded_data", "preserve_layout_alignment_across_pages", "preserve_very_small_text",
        "remove_hidden_text", "save_images", "skip_diagonal_text", "specialized_chart_parsing_agentic",
        "specialized_chart_parsing_efficient", "specialized_chart_parsing_plus", "specialized_image_parsing",
        "spreadsheet_extract_sub_tables", "spreadsheet_force_formula_computation", "spreadsheet_include_hidden_sheets",
        "strict_mode_buggy_font", "strict_mode_image_extraction", "strict_mode_image_ocr",
        "strict_mode_reconstruction", "structured_output", "take_screenshot", "use_vendor_multimodal_model",
    ];

    private static readonly string[] Strings =
    [
        "auto_mode_configuration_json", "auto_mode_trigger_on_regexp_in_page", "auto_mode_trigger_on_text_in_page",
        "azure_openai_api_version", "azure_openai_deployment_name", "azure_openai_endpoint", "azure_openai_key",
        "bounding_box", "complemental_formatting_instruction", "confidence_score_effort",
        "content_guideline_instruction", "formatting_instruction", "gpt4o_api_key", "http_proxy", "input_s3_path",
        "input_s3_region", "input_url", "markdown_table_multiline_header_separator", "model", "output_s3_path_prefix",
        "output_s3_region", "page_footer_prefix", "page_footer_suffix", "page_header_prefix", "page_header_suffix",
        "page_prefix", "page_separator", "page_suffix", "parsing_instruction", "pipeline_id", "preset", "project_id",
        "replace_failed_page_with_error_message_prefix", "replace_failed_page_with_error_message_suffix",
        "structured_output_json_schema", "structured_output_json_schema_name", "system_prompt", "system_prompt_append",
        "target_pages", "user_prompt", "vendor_multimodal_api_key", "vendor_multimodal_model_name", "version",
        "webhook_url",
    ];

    private static readonly string[] Numbers =
    [
        "bbox_bottom", "bbox_left", "bbox_right", "bbox_top", "job_timeout_extra_time_per_page_in_seconds",
        "job_timeout_in_seconds", "max_pages", "max_pages_enforced", "page_error_tolerance",
    ];

    /// <summary>The fields whose type is neither boolean, string nor number, each with or without <c>| null</c>.</summary>
    private static readonly Dictionary<string, Field> Others = new(StringComparer.Ordinal)
    {
        ["custom_metadata"] = new(Kind.Object),
        ["resource_info"] = new(Kind.Object),
        ["lang"] = new(Kind.String, Nullable: false),
        ["type"] = new(Kind.Literal, Nullable: false, Allowed: ["parse"]),
        ["parse_mode"] = new(Kind.Enum, Allowed: ParsingEnums.Modes),
        ["tier"] = new(Kind.Enum, Allowed: ParsingEnums.Tiers), // a string in the SDK: see ParsingEnums.Tiers
        ["replace_failed_page_mode"] = new(Kind.Enum, Allowed: ParsingEnums.FailPageModes),
        ["priority"] = new(Kind.Literal, Allowed: ["critical", "high", "low", "medium"]),
        ["languages"] = new(Kind.List, Nullable: false, Allowed: ParsingEnums.Languages, ItemIsEnum: true),
        ["images_to_save"] = new(Kind.List, Allowed: ["embedded", "layout", "screenshot"]),
        ["webhook_configurations"] = new(Kind.ObjectList),
    };

    /// <summary>
    /// <c>Parameters.WebhookConfiguration</c>: as the v2 creates' item, but its event enum has no <c>batch.*</c> events
    /// and its output format is any string.
    /// </summary>
    private static readonly JsonShape WebhookItem = JsonShape.Object(
        ("webhook_events", JsonShape.ListOf(JsonShape.Literal([.. WebhookEvents.All.Where(e => !e.StartsWith("batch.", StringComparison.Ordinal))]))),
        ("webhook_headers", JsonShape.MapOf(JsonShape.Str)),
        ("webhook_output_format", JsonShape.Str),
        ("webhook_signing_secret", JsonShape.Str),
        ("webhook_url", JsonShape.Str));

    private static readonly Dictionary<string, Field> Fields = Booleans.Select(n => (n, new Field(Kind.Boolean)))
        .Concat(Strings.Select(n => (n, new Field(Kind.String))))
        .Concat(Numbers.Select(n => (n, new Field(Kind.Number))))
        .Concat(Others.Select(o => (o.Key, o.Value)))
        .ToDictionary(f => f.Item1, f => f.Item2, StringComparer.Ordinal);

    private enum Kind
    {
        Boolean,
        String,
        Number,
        Object,
        Literal,
        Enum,
        List,
        ObjectList,
    }

    public static void Validate(JsonElement parameters, BodyValidator v, params object[] loc)
    {
        foreach (var property in parameters.EnumerateObject())
        {
            object[] at = [.. loc, property.Name];
            if (!Fields.TryGetValue(property.Name, out var field))
            {
                v.Add("extra_forbidden", "Extra inputs are not permitted", at);
            }
            else if (property.Value.ValueKind != JsonValueKind.Null || !field.Nullable)
            {
                Check(property.Value, field, v, at);
            }
        }
    }

    private static void Check(JsonElement value, Field field, BodyValidator v, object[] at)
    {
        switch (field.Kind)
        {
            case Kind.Boolean when value.ValueKind is not (JsonValueKind.True or JsonValueKind.False):
                v.Add("bool_type", "Input should be a valid boolean", at);
                break;
            case Kind.String when value.ValueKind != JsonValueKind.String:
                v.Add("string_type", "Input should be a valid string", at);
                break;
            case Kind.Number when value.ValueKind != JsonValueKind.Number:
                v.Add("float_type", "Input should be a valid number", at);
                break;
            case Kind.Object when value.ValueKind != JsonValueKind.Object:
                v.Add("dict_type", "Input should be a valid dictionary", at);
                break;
            case Kind.Literal or Kind.Enum:
                CheckAllowed(value, field.Allowed!, field.Kind == Kind.Enum, v, at);
                break;
            case Kind.List or Kind.ObjectList when value.ValueKind != JsonValueKind.Array:
                v.Add("list_type", "Input should be a valid list", at);
                break;
            case Kind.List:
                foreach (var (item, i) in value.EnumerateArray().Select((item, i) => (item, i)))
                {
                    CheckAllowed(item, field.Allowed!, field.ItemIsEnum, v, [.. at, i]);
                }

                break;
            case Kind.ObjectList:
                foreach (var (item, i) in value.EnumerateArray().Select((item, i) => (item, i)))
                {
                    if (item.ValueKind == JsonValueKind.Object)
                    {
                        WebhookItem.CheckFields(item, v, [.. at, i]);
                    }
                    else
                    {
                        v.Add("model_type", "Input should be a valid dictionary or object to extract fields from", [.. at, i]);
                    }
                }

                break;
            default:
                break;
        }
    }

    /// <summary>A Python enum and a <c>Literal</c> differ in pydantic only in the error's type.</summary>
    public static void CheckAllowed(JsonElement value, IReadOnlyList<string> allowed, bool isEnum, BodyValidator v, object[] at)
    {
        if (value.ValueKind != JsonValueKind.String || !allowed.Contains(value.GetString()!, StringComparer.Ordinal))
        {
            v.Add(isEnum ? "enum" : "literal_error", $"Input should be {BodyValidator.OneOf(allowed)}", at);
        }
    }

    private sealed record Field(Kind Kind, bool Nullable = true, IReadOnlyList<string>? Allowed = null, bool ItemIsEnum = false);
}
