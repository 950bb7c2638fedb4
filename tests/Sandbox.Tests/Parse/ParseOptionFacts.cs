namespace BatchOrchestrator.Sandbox.Tests.Parse;

/// <summary>
/// The parse options, typed alike on <c>POST /api/v2/parse</c> and in a saved parse_v2 configuration (TS SDK 2.16.0
/// <c>ParsingCreateParams</c>, <c>ParseV2Parameters</c>; docs/llamacloud-api.md §6.1): a value their declarations
/// or doc comments refuse is a 422 at its place, on both routes; every value they allow is taken.
/// </summary>
public sealed class ParseOptionFacts : SandboxPerTest
{
    public static TheoryData<string, string> Refused => new()
    {
        { """ "crop_box":{"top":1.5} """, "crop_box,top" }, // "ratios 0-1"
        { """ "crop_box":null """, "crop_box" }, // "crop_box?: CropBox": never null
        { """ "disable_cache":"yes" """, "disable_cache" },
        { """ "client_name":5 """, "client_name" },
        { """ "agentic_options":"be precise" """, "agentic_options" },
        { """ "page_ranges":{"max_pages":"ten"} """, "page_ranges,max_pages" },
        { """ "input_options":{"html":{"remove_navigation_elements":"true"}} """, "input_options,html,remove_navigation_elements" },
        { """ "output_options":{"granular_bboxes":["glyph"]} """, "output_options,granular_bboxes,0" },
        { """ "output_options":{"additional_outputs":["pdf"]} """, "output_options,additional_outputs,0" }, // "The three accepted values are"
        { """ "output_options":{"tables_as_spreadsheet":{"guess_sheet_name":null}} """, "output_options,tables_as_spreadsheet,guess_sheet_name" },
        { """ "processing_control":{"timeouts":{"base_in_seconds":9000}} """, "processing_control,timeouts,base_in_seconds" }, // "max 7200"
        { """ "processing_control":{"job_failure_conditions":{"allowed_page_failure_ratio":-0.1}} """, "processing_control,job_failure_conditions,allowed_page_failure_ratio" },
        { """ "processing_options":{"forms":"full"} """, "processing_options,forms" },
        { """ "processing_options":{"ocr_parameters":{"languages":["english"]}} """, "processing_options,ocr_parameters,languages,0" },
        { """ "processing_options":{"auto_mode_configuration":[{"filename_regexp":".*"}]} """, "processing_options,auto_mode_configuration,0,parsing_conf" },
        { """ "processing_options":{"auto_mode_configuration":[{"parsing_conf":{"tier":"turbo"}}]} """, "processing_options,auto_mode_configuration,0,parsing_conf,tier" },
        { """ "processing_options":{"auto_mode_configuration":[{"parsing_conf":{"tier":"fast"}}]} """, "processing_options,auto_mode_configuration,0,parsing_conf,version" }, // "Required when `tier` is set"
        { """ "processing_options":{"auto_mode_configuration":[{"parsing_conf":{"tier":"fast","version":"2026-09-07"}}]} """, "processing_options,auto_mode_configuration,0,parsing_conf,version" }, // "one of that tier's dated versions"
        { """ "processing_options":{"auto_mode_configuration":[{"parsing_conf":{},"trigger_mode":"AND"}]} """, "processing_options,auto_mode_configuration,0,trigger_mode" }, // "'and' … or 'or'"
        { """ "processing_options":{"auto_mode_configuration":[{"parsing_conf":{},"full_page_image_in_page_threshold":5}]} """, "processing_options,auto_mode_configuration,0,full_page_image_in_page_threshold" }, // "(0.0-1.0, default 0.8)"
        { """ "page_ranges":{"target_pages":"0,2"} """, "page_ranges,target_pages" }, // "1-based indexing"
        { """ "page_ranges":{"target_pages":"1;3"} """, "page_ranges,target_pages" }, // "Comma-separated"
        { """ "page_ranges":{"target_pages":"1-5,3"} """, "page_ranges,target_pages" }, // "Duplicate pages cause an error" (the default guess)
    };

    /// <summary>Every option at least once, each with a value its type allows (nulls where typed <c>| null</c>).</summary>
    private const string AllAllowed = """
        "agentic_options":{"custom_prompt":null},"client_name":"bo","disable_cache":null,"fast_options":{"any":1},
        "crop_box":{"top":0,"bottom":1,"left":null,"right":0.5},
        "input_options":{"html":{"make_all_elements_visible":true},"image":{"camera_photo_correction":null},"pdf":null,
            "presentation":{"skip_embedded_data":false},"spreadsheet":{"include_hidden_sheets":true}},
        "output_options":{"additional_outputs":["stripped_md","word_bbox"],"granular_bboxes":["cell","line","word"],"images_to_save":null,
            "markdown":{"annotate_links":true,"tables":{"markdown_table_multiline_separator":"<br>","merge_continued_tables":null}},
            "save_output_pdf":false,"spatial_text":{"do_not_unroll_columns":true},"tables_as_spreadsheet":{"enable":true,"guess_sheet_name":false}},
        "page_ranges":{"max_pages":10,"target_pages":"1,3,5-8"},
        "processing_control":{"job_failure_conditions":{"allowed_page_failure_ratio":0.1,"fail_on_buggy_font":null},
            "timeouts":{"base_in_seconds":7200,"extra_time_per_page_in_seconds":300}},
        "processing_options":{"aggressive_table_extraction":true,"confidence_score_effort":"high","cost_optimizer":null,"forms":"enrich",
            "ignore":{"ignore_text_in_image":true},"ocr_parameters":{"languages":["en","ch_sim"]},"specialized_chart_parsing":"efficient",
            "auto_mode_configuration":[{"parsing_conf":{"tier":"agentic","version":"latest","crop_box":null,"ignore":{"ignore_hidden_text":true}},
                "page_contains_at_least_n_tables":2,"full_page_image_in_page_threshold":"0.8","filename_match_glob_list":["*.pdf"],"table_in_page":true,"trigger_mode":"or"}]}
        """;

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task ParseCreate_Is422_ForAnOptionItsTypeRefuses(string option, string loc)
    {
        var (status, body) = await Sandbox.PostAsync("api/v2/parse", """{"tier":"fast","version":"latest","file_id":"dfl-none",""" + option + "}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("body," + loc, Locations(body));
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task SavedParseConfiguration_Is422_ForAnOptionItsTypeRefuses(string option, string loc)
    {
        var (status, body) = await Sandbox.PostAsync(
            "api/v1/beta/configurations", """{"name":"p","parameters":{"product_type":"parse_v2","tier":"fast","version":"latest",""" + option + "}}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("body,parameters," + loc, Locations(body));
    }

    [Fact]
    public async Task ParseCreate_TakesEveryOption_AsTheSdkTypesIt()
    {
        var (_, entry) = await Sandbox.DirectoryWithTextFileAsync("p", "a.txt", "x");

        var (status, body) = await Sandbox.PostAsync("api/v2/parse", $$"""{"tier":"agentic","version":"latest","file_id":"{{entry}}",""" + AllAllowed + "}");

        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
    }

    [Fact]
    public async Task SavedParseConfiguration_TakesEveryOption_AsTheSdkTypesIt()
    {
        var (status, body) = await Sandbox.PostAsync(
            "api/v1/beta/configurations", """{"name":"p","parameters":{"product_type":"parse_v2","tier":"agentic","version":"latest",""" + AllAllowed + "}}");

        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
    }

    [Fact]
    public async Task ParseCreate_TakesAPageNamedTwice_WhenDuplicatesAreGuessedDeduplicated()
    {
        var (_, entry) = await Sandbox.DirectoryWithTextFileAsync("p", "a.txt", "x");
        const string Pages = """ "page_ranges":{"target_pages":"1-5,3, 9"} """;
        var (refused, _) = await Sandbox.PostAsync("api/v2/parse", $$"""{"tier":"fast","version":"latest","file_id":"{{entry}}",""" + Pages + "}");

        await RestartSandboxAsync(o => o.Guesses.RefuseDuplicateTargetPages = false);
        (_, entry) = await Sandbox.DirectoryWithTextFileAsync("p", "a.txt", "x");
        var (taken, body) = await Sandbox.PostAsync("api/v2/parse", $$"""{"tier":"fast","version":"latest","file_id":"{{entry}}",""" + Pages + "}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused);
        Assert.True(taken == HttpStatusCode.OK, body?.ToJsonString());
    }

    private static List<string> Locations(JsonNode? body) =>
        [.. body!["detail"]!.AsArray().Select(issue => string.Join(',', issue!["loc"]!.AsArray().Select(part => part!.ToString())))];
}
