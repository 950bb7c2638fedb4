namespace BatchOrchestrator.Sandbox.V1Batches;

/// <summary>
/// The fields of the v1 parse variant's <c>parameters</c> (TS SDK 2.13.0 <c>resources/beta/batch/batch.d.ts</c>,
/// <c>BatchParseJobRecordCreate.Parameters</c>, 126 fields): anything else is a field the SDK's types refuse.
/// </summary>
internal static class V1ParseParameterNames
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        "adaptive_long_table", "aggressive_table_extraction", "annotate_links", "auto_mode",
        "auto_mode_configuration_json", "auto_mode_trigger_on_image_in_page",
        "auto_mode_trigger_on_regexp_in_page", "auto_mode_trigger_on_table_in_page",
        "auto_mode_trigger_on_text_in_page", "azure_openai_api_version", "azure_openai_deployment_name",
        "azure_openai_endpoint", "azure_openai_key", "bbox_bottom", "bbox_left", "bbox_right", "bbox_top",
        "bounding_box", "compact_markdown_table", "complemental_formatting_instruction", "confidence_score_effort",
        "content_guideline_instruction", "continuous_mode", "custom_metadata", "disable_image_extraction",
        "disable_ocr", "disable_reconstruction", "do_not_cache", "do_not_unroll_columns", "enable_cost_optimizer",
        "extract_charts", "extract_layout", "extract_printed_page_number", "fast_mode", "formatting_instruction",
        "gpt4o_api_key", "gpt4o_mode", "guess_xlsx_sheet_name", "hide_footers", "hide_headers", "high_res_ocr",
        "html_make_all_elements_visible", "html_remove_fixed_elements", "html_remove_navigation_elements",
        "http_proxy", "ignore_document_elements_for_layout_detection", "images_to_save",
        "inline_images_in_markdown", "input_s3_path", "input_s3_region", "input_url", "internal_is_screenshot_job",
        "invalidate_cache", "is_formatting_instruction", "job_timeout_extra_time_per_page_in_seconds",
        "job_timeout_in_seconds", "keep_page_separator_when_merging_tables", "lang", "languages", "layout_aware",
        "line_level_bounding_box", "markdown_table_multiline_header_separator", "max_pages", "max_pages_enforced",
        "merge_tables_across_pages_in_markdown", "model", "outlined_table_extraction", "output_pdf_of_document",
        "output_s3_path_prefix", "output_s3_region", "output_tables_as_HTML", "outputBucket",
        "page_error_tolerance", "page_footer_prefix", "page_footer_suffix", "page_header_prefix",
        "page_header_suffix", "page_prefix", "page_separator", "page_suffix", "parse_mode", "parsing_instruction",
        "pipeline_id", "precise_bounding_box", "premium_mode", "presentation_out_of_bounds_content",
        "presentation_skip_embedded_data", "preserve_layout_alignment_across_pages", "preserve_very_small_text",
        "preset", "priority", "project_id", "remove_hidden_text", "replace_failed_page_mode",
        "replace_failed_page_with_error_message_prefix", "replace_failed_page_with_error_message_suffix",
        "resource_info", "save_images", "skip_diagonal_text", "specialized_chart_parsing_agentic",
        "specialized_chart_parsing_efficient", "specialized_chart_parsing_plus", "specialized_image_parsing",
        "spreadsheet_extract_sub_tables", "spreadsheet_force_formula_computation",
        "spreadsheet_include_hidden_sheets", "strict_mode_buggy_font", "strict_mode_image_extraction",
        "strict_mode_image_ocr", "strict_mode_reconstruction", "structured_output",
        "structured_output_json_schema", "structured_output_json_schema_name", "system_prompt",
        "system_prompt_append", "take_screenshot", "target_pages", "tier", "type", "use_vendor_multimodal_model",
        "user_prompt", "vendor_multimodal_api_key", "vendor_multimodal_model_name", "version",
        "webhook_configurations", "webhook_url",
    };
}
