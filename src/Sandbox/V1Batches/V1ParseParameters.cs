using BatchOrchestrator.Sandbox.Webhooks;

namespace BatchOrchestrator.Sandbox.V1Batches;

/// <summary>
/// The v1 parse variant's <c>parameters</c> as the SDK types them (TS SDK 2.13.0 <c>resources/beta/batch/batch.d.ts</c>,
/// <c>BatchParseJobRecordCreate.Parameters</c>, 126 fields, two of them not snake_case:
/// <c>output_tables_as_HTML</c>, <c>outputBucket</c>): each field's JSON type, its allowed values where the SDK
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
        "merge_tables_across_pages_in_markdown", "outlined_table_extraction", "output_pdf_of_document", "output_tables_as_HTML",
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
        "output_s3_region", "outputBucket", "page_footer_prefix", "page_footer_suffix", "page_header_prefix", "page_header_suffix",
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
    private static readonly (string, JsonShape)[] Others =
    [
        ("custom_metadata", JsonShape.Object()),
        ("resource_info", JsonShape.Object()),
        ("lang", JsonShape.Str.NeverNull),
        ("type", JsonShape.Literal("parse").NeverNull),
        ("parse_mode", JsonShape.Enum(ParsingEnums.Modes)),
        ("tier", JsonShape.Enum(ParsingEnums.Tiers)), // a string in the SDK: see ParsingEnums.Tiers
        ("replace_failed_page_mode", JsonShape.Enum(ParsingEnums.FailPageModes)),
        ("priority", JsonShape.Literal("critical", "high", "low", "medium")),
        ("languages", JsonShape.ListOf(JsonShape.Enum(ParsingEnums.Languages)).NeverNull),
        ("images_to_save", JsonShape.ListOf(JsonShape.Literal("embedded", "layout", "screenshot"))),
        ("webhook_configurations", JsonShape.ListOf(WebhookItem)),
    ];

    /// <summary>
    /// <c>Parameters.WebhookConfiguration</c>: as the v2 creates' item, but its event enum has no <c>batch.*</c> events
    /// and its output format is any string.
    /// </summary>
    private static JsonShape WebhookItem => JsonShape.Object(
        ("webhook_events", JsonShape.ListOf(JsonShape.Literal([.. WebhookEvents.All.Where(e => !e.StartsWith("batch.", StringComparison.Ordinal))]))),
        ("webhook_headers", JsonShape.MapOf(JsonShape.Str)),
        ("webhook_output_format", JsonShape.Str),
        ("webhook_signing_secret", JsonShape.Str),
        ("webhook_url", JsonShape.Str)).AsModel;

    private static readonly JsonShape Shape = JsonShape.Object(
        [
            .. JsonShape.Bools(Booleans),
            .. Strings.Select(n => (n, JsonShape.Str)),
            .. Numbers.Select(n => (n, JsonShape.Num)),
            .. Others,
        ]);

    /// <summary>
    /// Checks each field in the body's order (pydantic reports issues in input order), refusing one the SDK lacks:
    /// unlike <see cref="JsonShape"/>'s objects, this model forbids extras.
    /// </summary>
    public static void Validate(JsonElement parameters, BodyValidator v, params object[] loc)
    {
        foreach (var property in parameters.EnumerateObject())
        {
            object[] at = [.. loc, property.Name];
            if (Shape.Fields!.TryGetValue(property.Name, out var field))
            {
                field.Check(property.Value, v, at);
            }
            else
            {
                v.Add("extra_forbidden", "Extra inputs are not permitted", at);
            }
        }
    }

    /// <summary>A Python enum and a <c>Literal</c> differ in pydantic only in the error's type.</summary>
    public static void CheckAllowed(JsonElement value, IReadOnlyList<string> allowed, bool isEnum, BodyValidator v, object[] at)
    {
        if (value.ValueKind != JsonValueKind.String || !allowed.Contains(value.GetString()!, StringComparer.Ordinal))
        {
            v.Add(Refusal.Literal(allowed, isEnum), at);
        }
    }
}
