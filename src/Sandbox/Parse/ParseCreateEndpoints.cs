using BatchOrchestrator.Sandbox.Configurations;
using BatchOrchestrator.Sandbox.Files;
using BatchOrchestrator.Sandbox.Processing;
using BatchOrchestrator.Sandbox.Webhooks;

namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>
/// POST /api/v2/parse (JSON with file_id) and POST /api/v2/parse/upload (multipart file plus a
/// JSON <c>configuration</c> string), docs/llamacloud-api.md §6.1. Both answer with the flat job.
/// </summary>
internal static class ParseCreateEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v2/parse", CreateAsync);
        app.MapPost("/api/v2/parse/upload", UploadAsync);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, ConfigurationCatalog catalog, JobFactory jobs)
    {
        var (body, error) = await JsonBody.ReadAsync(request);
        return error ?? Create(body, upload: null, project, state, options, catalog, jobs);
    }

    private static async Task<IResult> UploadAsync(HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, ConfigurationCatalog catalog, JobFactory jobs)
    {
        var (form, error) = await MultipartForm.ReadAsync(request, options.MaxUploadBytes);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        var file = form!.File("file", v);
        var text = form.Text("configuration", v);
        if (!v.IsValid)
        {
            return v.ToResult();
        }

        JsonElement configuration;
        try
        {
            configuration = EmptyJson.Parse(text ?? "{}");
        }
        catch (JsonException)
        {
            return ApiErrors.Validation("json_invalid", "Invalid JSON", "body", "configuration");
        }

        return Create(configuration, new StoredContent(file!.FileName, file.ContentType, file.Content), project, state, options, catalog, jobs);
    }

    private static IResult Create(JsonElement body, StoredContent? upload, RequestProject project, SandboxState state, SandboxOptions options, ConfigurationCatalog catalog, JobFactory jobs)
    {
        var v = new BodyValidator();
        v.RequireObject(body);

        // The upload's configuration is the same params as JSON (the SDK sends JSON.stringify of them, resources/parsing.js).
        BodyFields.Check(v, body, options.Guesses, BodyFields.ParseCreate);
        var configurationId = v.String(body, "configuration_id", required: false);
        var configured = configurationId is not null;

        // With a saved configuration, tier and version default to it: "omit them or pass 'configured'". Never null: the
        // SDK types both as strings without '| null', and the comment says omit, not null.
        var tier = configured ? v.NeverNullString(body, "tier") : v.String(body, "tier", required: true);
        var version = configured ? v.NeverNullString(body, "version") : v.String(body, "version", required: true);
        // 'configured' stands for the saved configuration's tier, so it means nothing without configuration_id.
        if (tier is not null && !(configured && tier == "configured") && !ConfigurationParameters.ParseTiers.Contains(tier, StringComparer.Ordinal))
        {
            v.Add(Refusal.Literal(ConfigurationParameters.ParseTiers), "tier");
        }

        var fileId = v.String(body, "file_id", required: false);
        var sourceUrl = v.String(body, "source_url", required: false);
        if (upload is null && (fileId is null) == (sourceUrl is null))
        {
            v.Add("value_error", "Provide exactly one of file_id or source_url", "file_id");
        }

        v.String(body, "http_proxy", required: false);
        ParseOptions.Check(body, v, options.Guesses);
        var userMetadata = v.Object(body, "user_metadata", required: false);
        foreach (var entry in userMetadata?.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.String) ?? [])
        {
            v.Add("string_type", "Input should be a valid string", "user_metadata", entry.Name); // "{ [key: string]: string }"
        }

        v.RefuseNull(body, "webhook_configurations", "list_type", "Input should be a valid list"); // "webhook_configurations?: Array<…>", unlike the batch and extract creates' "| null"
        lock (state.Gate)
        {
            var webhooks = WebhookConfigurations.Read(body, v, state, project.Id, WebhookFieldTypes.Parse.Inline(options.Guesses));
            var configuredTier = configured ? catalog.ParseTier(project.Id, configurationId!) : null;
            if (configured && configuredTier is null)
            {
                v.Add("value_error", $"Parse configuration '{configurationId}' not found", "configuration_id");
            }

            // 'configured' (or no version) stands for the saved configuration's version, as for its tier; whichever it is
            // must be the tier's: a tier sent beside a configuration that pins another tier's version names no version.
            var effectiveTier = tier is null or "configured" ? configuredTier : tier;
            var effectiveVersion = (version is null or "configured") && configured ? catalog.ParseVersion(project.Id, configurationId!) : version;
            if (effectiveVersion is not null && effectiveTier is not null && ParseVersions.ByTier.ContainsKey(effectiveTier))
            {
                v.Format(effectiveVersion, text => ParseVersions.Problem(text, effectiveTier), "version");
            }

            if (!v.IsValid)
            {
                return v.ToResult();
            }

            if (sourceUrl is not null)
            {
                // The Sandbox reaches only loopback; fetching documents from the internet is out of scope.
                return ApiErrors.Detail(StatusCodes.Status400BadRequest, "source_url is not supported by the Sandbox; upload the file and pass file_id");
            }

            var content = upload ?? DocumentSources.Resolve(state, project.Id, fileId!, allowParseJob: false);
            if (content is null)
            {
                return ApiErrors.NotFound("File", fileId!);
            }

            var metadata = userMetadata?.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal);
            var job = jobs.CreateParse(project.Id, content, content.FileName, tier is null or "configured" ? configuredTier! : tier, configurationId, metadata, webhooks);
            return TypedResults.Json(job.ToDto(expandUsage: false), SandboxJsonContext.Default.ParseJobDto);
        }
    }
}
