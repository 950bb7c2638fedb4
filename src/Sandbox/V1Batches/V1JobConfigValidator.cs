namespace BatchOrchestrator.Sandbox.V1Batches;

/// <summary>
/// Checks a v1 <c>job_config</c> as strictly as the SDK's types (TS 2.13.0 <c>resources/beta/batch/batch.d.ts</c>,
/// <c>resources/classifier/jobs.d.ts</c>; docs/llamacloud-api.md §3.2): a config with <c>rules</c> is the
/// classify variant, <c>ClassifyJob</c>, whose <c>id</c>, <c>project_id</c>, <c>rules</c>, <c>status</c>
/// and <c>user_id</c> are required; anything else is the parse variant, whose <c>job_name</c> can only be
/// <c>parse_raw_file_job</c>. A field outside the chosen variant is refused, the other variant's too: a guess, as the
/// SDK's union type lets an object literal carry either variant's fields and what the service makes of a mix is not
/// documented (src/Sandbox/README.md). Which values a new classify job's ids must take is a guess, set in <see cref="SandboxGuesses"/>.
/// </summary>
internal static class V1JobConfigValidator
{
    public const string ParseJobName = "parse_raw_file_job";

    private static readonly IReadOnlySet<string> ParseFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "correlation_id", "job_name", "parameters", "parent_job_execution_id", "partitions", "project_id", "session_id", "user_id", "webhook_url",
    };

    private static readonly IReadOnlySet<string> ClassifyFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "id", "project_id", "rules", "status", "user_id", "created_at", "effective_at", "error_message", "job_record_id", "mode",
        "parsing_configuration", "updated_at",
    };

    /// <summary>ParsingAPI.StatusEnum (TS 2.13.0 <c>resources/parsing.d.ts</c>): upper case.</summary>
    private static readonly IReadOnlyList<string> Statuses = ["PENDING", "SUCCESS", "ERROR", "PARTIAL_SUCCESS", "CANCELLED"];

    private static readonly IReadOnlyList<string> Modes = ["FAST", "MULTIMODAL"];

    /// <summary>Validates the config; returns the v1 job type it describes (<c>parse</c> or <c>classify</c>).</summary>
    public static string Validate(JsonElement config, BodyValidator v, SandboxGuesses guesses, string requestProjectId)
    {
        if (BodyValidator.Has(config, "rules"))
        {
            ValidateClassify(config, v, guesses, requestProjectId);
            return "classify";
        }

        v.ForbidExtra(config, ParseFields, "job_config");
        v.NeverNullLiteral(config, "job_name", [ParseJobName], "job_config");
        v.RefuseNull(config, "partitions", "dict_type", "Input should be a valid dictionary", "job_config");
        foreach (var name in new[] { "correlation_id", "parent_job_execution_id", "project_id", "session_id", "user_id", "webhook_url" })
        {
            v.String(config, name, required: false, "job_config");
        }

        if (v.Object(config, "partitions", required: false, "job_config") is { } partitions)
        {
            foreach (var partition in partitions.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.String))
            {
                v.Add("string_type", "Input should be a valid string", "job_config", "partitions", partition.Name);
            }
        }

        if (v.Object(config, "parameters", required: false, "job_config") is { } parameters)
        {
            V1ParseParameters.Validate(parameters, v, "job_config", "parameters");
        }

        return "parse";
    }

    private static void ValidateClassify(JsonElement config, BodyValidator v, SandboxGuesses guesses, string requestProjectId)
    {
        v.ForbidExtra(config, ClassifyFields, "job_config");
        var id = v.String(config, "id", required: true, "job_config");
        var projectId = v.String(config, "project_id", required: true, "job_config");
        var userId = v.String(config, "user_id", required: true, "job_config");
        v.Literal(config, "status", Statuses, required: true, "job_config");
        v.NeverNullLiteral(config, "mode", Modes, "job_config");
        v.NeverNullString(config, "effective_at", "job_config");
        v.RefuseNull(config, "parsing_configuration", "model_type", "Input should be a valid dictionary or instance of ClassifyParsingConfiguration", "job_config");
        foreach (var name in new[] { "created_at", "error_message", "job_record_id", "updated_at" })
        {
            v.String(config, name, required: false, "job_config");
        }

        v.RefuseNull(config, "rules", "list_type", "Input should be a valid list", "job_config"); // "rules: Array<ClassifierRule>", required
        var rules = v.Array(config, "rules", "job_config") ?? [];
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i].ValueKind != JsonValueKind.Object)
            {
                v.Add("model_type", "Input should be a valid dictionary or instance of ClassifierRule", "job_config", "rules", i);
                continue;
            }

            v.ForbidExtra(rules[i], new HashSet<string>(StringComparer.Ordinal) { "type", "description" }, "job_config", "rules", i);
            v.String(rules[i], "type", required: true, "job_config", "rules", i);
            v.String(rules[i], "description", required: true, "job_config", "rules", i);
        }

        if (v.Object(config, "parsing_configuration", required: false, "job_config") is { } parsing)
        {
            v.ForbidExtra(parsing, new HashSet<string>(StringComparer.Ordinal) { "lang", "max_pages", "target_pages" }, "job_config", "parsing_configuration");
            if (BodyValidator.Has(parsing, "lang")) // "lang?: ParsingAPI.ParsingLanguages": one of its codes, never null
            {
                V1ParseParameters.CheckAllowed(parsing.GetProperty("lang"), ParsingEnums.Languages, isEnum: true, v, ["job_config", "parsing_configuration", "lang"]);
            }

            v.Int(parsing, "max_pages", "job_config", "parsing_configuration");
            var pages = v.Array(parsing, "target_pages", "job_config", "parsing_configuration") ?? [];
            for (var i = 0; i < pages.Count; i++)
            {
                if (pages[i].ValueKind != JsonValueKind.Number || !pages[i].TryGetInt32(out _)) // "Array<number>" of page numbers: 1.5 is no page
                {
                    v.Add("int_type", "Input should be a valid integer", "job_config", "parsing_configuration", "target_pages", i);
                }
            }
        }

        // The guesses: what a client must put in the stored shape's ids for a new job (docs/llamacloud-api.md §11.11).
        if (guesses.V1ClassifyProjectMustMatch && projectId is not null && projectId != requestProjectId)
        {
            v.Add("value_error", $"job_config.project_id must be the project the request acts in ({requestProjectId})", "job_config", "project_id");
        }

        if (guesses.V1ClassifyIdMustBeUuid && id is not null && !Guid.TryParse(id, out _))
        {
            v.Add("uuid_parsing", "Input should be a valid UUID", "job_config", "id");
        }

        if (guesses.V1ClassifyUserId is { } expected && userId is not null && userId != expected)
        {
            v.Add("value_error", "job_config.user_id must be the key's user", "job_config", "user_id");
        }
    }
}
