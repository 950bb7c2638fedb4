using BatchOrchestrator.Sandbox.V1Batches;
using static BatchOrchestrator.Sandbox.Http.JsonShape;

namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>
/// The parse options a v2 parse job takes, both on <c>POST /api/v2/parse</c> and in a saved parse_v2 configuration's
/// <c>parameters</c>: TS SDK 2.16.0 declares them twice, word for word (<c>resources/parsing.d.ts</c>
/// <c>ParsingCreateParams</c> and <c>resources/configurations.d.ts</c> <c>ParseV2Parameters</c>). Each field's JSON
/// type, its literals, and whether it may be null are the declarations'; the bounds, the accepted
/// <c>additional_outputs</c> and the formats of <c>target_pages</c> and <c>trigger_mode</c> are their doc comments'
/// (docs/llamacloud-api.md §6.1).
/// </summary>
internal static class ParseOptions
{
    private static readonly JsonShape Tier = Literal("agentic", "agentic_plus", "cost_effective", "fast");
    private static readonly JsonShape ChartParsing = Literal("agentic", "agentic_plus", "efficient");

    /// <summary>"Values are ratios 0-1 from page edges".</summary>
    private static readonly JsonShape CropBox = Object(("bottom", Ratio), ("left", Ratio), ("right", Ratio), ("top", Ratio));

    private static readonly JsonShape InputOptions = Object(
        ("html", Object(Bools("make_all_elements_visible", "remove_fixed_elements", "remove_navigation_elements")).NeverNull),
        ("image", Object(Bools("camera_photo_correction")).NeverNull),
        ("pdf", Any), // "pdf?: unknown"
        ("presentation", Object(Bools("out_of_bounds_content", "skip_embedded_data")).NeverNull),
        ("spreadsheet", Object(Bools("detect_sub_tables_in_sheets", "force_formula_computation_in_sheets", "include_hidden_sheets")).NeverNull));

    private static readonly JsonShape MarkdownTables = Object(
        ("compact_markdown_tables", Bool),
        ("markdown_table_multiline_separator", Str),
        ("merge_continued_tables", Bool),
        ("output_tables_as_markdown", Bool));

    private static readonly JsonShape OutputOptions = Object(
        ("additional_outputs", ListOf(Literal("stripped_md", "concatenated_stripped_txt", "word_bbox")).NeverNull), // "The three accepted values are"
        ("extract_printed_page_number", Bool),
        ("granular_bboxes", ListOf(Literal("cell", "line", "word")).NeverNull),
        ("images_to_save", ListOf(Literal("embedded", "layout", "screenshot"))),
        ("markdown", Object([.. Bools("annotate_line_numbers", "annotate_links", "annotate_revisions", "inline_images"), ("tables", MarkdownTables.NeverNull)]).NeverNull),
        ("save_output_pdf", Bool),
        ("spatial_text", Object(Bools("do_not_unroll_columns", "preserve_layout_alignment_across_pages", "preserve_very_small_text")).NeverNull),
        ("tables_as_spreadsheet", Object(("enable", Bool), ("guess_sheet_name", Bool.NeverNull)).NeverNull));

    private static readonly JsonShape ProcessingControl = Object(
        ("job_failure_conditions", Object(
            [
                ("allowed_page_failure_ratio", Ratio), // "(0-1)"
                .. Bools("fail_on_buggy_font", "fail_on_image_extraction_error", "fail_on_image_ocr_error", "fail_on_markdown_reconstruction_error"),
            ]).NeverNull),
        ("timeouts", Object(
            ("base_in_seconds", Num with { Max = 7200 }), // "max 7200 = 2 hours"
            ("extra_time_per_page_in_seconds", Num with { Max = 300 })).NeverNull)); // "max 300 = 5 minutes"

    private static readonly JsonShape ParsingConf = Object(
        [
            .. Bools("adaptive_long_table", "aggressive_table_extraction", "extract_layout", "high_res_ocr", "outlined_table_extraction"),
            ("crop_box", CropBox),
            ("custom_prompt", Str),
            ("ignore", Object(Bools("ignore_diagonal_text", "ignore_hidden_text"))),
            ("language", Str),
            ("presentation", Object(Bools("out_of_bounds_content", "skip_embedded_data"))),
            ("spatial_text", Object(Bools("do_not_unroll_columns", "preserve_layout_alignment_across_pages", "preserve_very_small_text"))),
            ("specialized_chart_parsing", ChartParsing),
            ("tier", Tier),
            ("version", Str),
        ]);

    private static readonly string[] PageCounts = ["charts", "images", "layout_elements", "lines", "links", "numbers", "percent_numbers", "tables", "words"];

    private static readonly JsonShape AutoModeRule = Object(
        [
            ("parsing_conf", ParsingConf.NeverNull with { Required = true }),
            .. new[] { "filename_match_glob", "filename_regexp", "filename_regexp_mode", "layout_element_in_page", "regexp_in_page", "regexp_in_page_mode", "text_in_page" }
                .Select(n => (n, Str)),
            ("trigger_mode", Str with { Format = StringFormats.TriggerMode }), // "'and' … or 'or'"
            ("filename_match_glob_list", ListOf(Str)),
            .. Bools("full_page_image_in_page", "image_in_page", "page_md_error", "table_in_page"),
            ("full_page_image_in_page_threshold", NumOrStr with { Min = 0, Max = 1 }), // "(0.0-1.0, default 0.8)"; a string is taken as sent
            .. new[] { "layout_element_in_page_confidence_threshold", "page_longer_than_n_chars", "page_shorter_than_n_chars" }
                .Concat(PageCounts.SelectMany(c => new[] { $"page_contains_at_least_n_{c}", $"page_contains_at_most_n_{c}" }))
                .Select(n => (n, NumOrStr)),
        ]);

    private static readonly JsonShape ProcessingOptions = Object(
        ("aggressive_table_extraction", Bool),
        ("auto_mode_configuration", ListOf(AutoModeRule)),
        ("confidence_score_effort", Literal("high")),
        ("cost_optimizer", Object(("enable", Bool))),
        ("disable_heuristics", Bool),
        ("forms", Literal("default", "enrich")),
        ("ignore", Object(Bools("ignore_diagonal_text", "ignore_hidden_text", "ignore_text_in_image")).NeverNull),
        ("ocr_parameters", Object(("languages", ListOf(Literal([.. ParsingEnums.Languages])))).NeverNull),
        ("specialized_chart_parsing", ChartParsing));

    /// <summary>The options both declarations share; <c>tier</c>, <c>version</c> and the webhooks each caller checks itself.</summary>
    private static readonly JsonShape Shared = Object(
        ("agentic_options", Object(("custom_prompt", Str))),
        ("client_name", Str),
        ("crop_box", CropBox.NeverNull),
        ("disable_cache", Bool),
        ("fast_options", Any), // "fast_options?: unknown | null"
        ("input_options", InputOptions.NeverNull),
        ("output_options", OutputOptions.NeverNull),
        ("page_ranges", Object(("max_pages", Num), ("target_pages", Str)).NeverNull),
        ("processing_control", ProcessingControl.NeverNull),
        ("processing_options", ProcessingOptions.NeverNull));

    /// <summary>The shared options' names and shapes, for a declaration that adds its own fields to them.</summary>
    public static IEnumerable<(string Name, JsonShape Shape)> SharedFields => Shared.Fields!.Select(f => (f.Key, f.Value));

    /// <summary>
    /// Adds an issue for each shared option of <paramref name="body"/> its declaration refuses. Whether a page named
    /// twice in <c>target_pages</c> is one of them is a guess (<see cref="SandboxGuesses.RefuseDuplicateTargetPages"/>).
    /// </summary>
    public static void Check(JsonElement body, BodyValidator v, SandboxGuesses guesses, params object[] loc)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        Shared.CheckFields(body, v, loc);
        if (BodyValidator.Get(body, "page_ranges") is { ValueKind: JsonValueKind.Object } ranges
            && BodyValidator.Get(ranges, "target_pages") is { ValueKind: JsonValueKind.String } pages)
        {
            v.Format(pages.GetString(), p => StringFormats.PageSelection(p, guesses.RefuseDuplicateTargetPages), [.. loc, "page_ranges", "target_pages"]);
        }

        if (BodyValidator.Get(body, "processing_options") is { ValueKind: JsonValueKind.Object } options
            && BodyValidator.Get(options, "auto_mode_configuration") is { ValueKind: JsonValueKind.Array } rules)
        {
            var index = 0;
            foreach (var rule in rules.EnumerateArray())
            {
                CheckOverrideVersion(rule, v, [.. loc, "processing_options", "auto_mode_configuration", index++, "parsing_conf"]);
            }
        }
    }

    /// <summary>
    /// A rule's tier override needs its version: "Required when `tier` is set", and it is "`latest`, or … one of that
    /// tier's dated versions" (<c>ParsingConf.version</c>, <see cref="ParseVersions.Problem"/>).
    /// </summary>
    private static void CheckOverrideVersion(JsonElement rule, BodyValidator v, object[] loc)
    {
        if (BodyValidator.Get(rule, "parsing_conf") is not { ValueKind: JsonValueKind.Object } conf || BodyValidator.Get(conf, "tier") is not { } tier)
        {
            return;
        }

        var version = BodyValidator.Get(conf, "version");
        if (version is null)
        {
            v.Add("missing", "Field required when tier is set", [.. loc, "version"]);
        }
        else if (tier.ValueKind == JsonValueKind.String && ParseVersions.ByTier.ContainsKey(tier.GetString()!) && version.Value.ValueKind == JsonValueKind.String)
        {
            v.Format(version.Value.GetString(), text => ParseVersions.Problem(text, tier.GetString()!), [.. loc, "version"]);
        }
    }
}
