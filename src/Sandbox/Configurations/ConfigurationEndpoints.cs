using Microsoft.AspNetCore.Mvc;

namespace BatchOrchestrator.Sandbox.Configurations;

/// <summary>
/// Product configurations: upsert by name + product type, get, update, list, delete
/// (docs/llamacloud-api.md §8). Built-in presets are not resources here: GET on one is 404.
/// </summary>
internal static class ConfigurationEndpoints
{
    private const string Route = "/api/v1/beta/configurations";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(Route, UpsertAsync);
        app.MapGet(Route, List);
        app.MapGet(Route + "/{config_id}", Get);
        app.MapPut(Route + "/{config_id}", UpdateAsync);
        app.MapDelete(Route + "/{config_id}", Delete);
    }

    /// <summary>"Updates if one with the same name + product type + project exists, otherwise creates."</summary>
    private static async Task<IResult> UpsertAsync(
        HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, SandboxCounters counters, ConfigurationCatalog catalog)
    {
        var (body, error) = await JsonBody.ReadAsync(request);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        v.RequireObject(body);
        BodyFields.Check(v, body, options.Guesses, BodyFields.ConfigurationCreate);
        var name = v.NonEmptyString(body, "name", required: true);
        var parameters = v.Object(body, "parameters", required: true);
        var productType = parameters is null ? null : ConfigurationParameters.Validate(parameters.Value, v, options.Guesses, "parameters");
        if (!v.IsValid)
        {
            return v.ToResult();
        }

        lock (state.Gate)
        {
            if (productType == "extract_v2" && !ParseConfigIdKnown(catalog, project.Id, parameters!.Value, v))
            {
                return v.ToResult();
            }

            var now = state.Now;
            var config = state.Configurations.In(project.Id).FirstOrDefault(c => c.Name == name && c.ProductType == productType);
            if (config is null)
            {
                config = new ConfigurationRecord
                {
                    Sequence = state.NextSequence(),
                    Id = Ids.Configuration(),
                    ProjectId = project.Id,
                    Name = name!,
                    ProductType = productType!,
                    Parameters = StoredParameters.Keep(productType!, parameters!.Value),
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                state.Configurations.Add(config);
            }
            else
            {
                config.Parameters = StoredParameters.Keep(productType!, parameters!.Value);
                config.UpdatedAt = now;
            }

            counters.Add(Counter.ConfigurationUpserts);
            return TypedResults.Json(config.ToDto(), SandboxJsonContext.Default.ConfigurationDto);
        }
    }

    private static IResult List(HttpRequest request, RequestProject project, SandboxState state)
    {
        var issues = new List<ValidationIssue>();
        var page = Paging.Read(request, issues);
        Query.Bool(request, "latest_only", issues);
        var types = Query.Literals(request, "product_type", ConfigurationParameters.ProductTypes, issues);

        if (issues.Count > 0 || page is null)
        {
            return ApiErrors.Validation(issues);
        }

        var name = Query.Single(request, "name");
        lock (state.Gate)
        {
            // An upsert keeps one record per name + product type, so every record is its latest version.
            var matches = state.Configurations.In(project.Id).Where(c =>
                (name is null || c.Name == name) && (types.Count == 0 || types.Contains(c.ProductType, StringComparer.Ordinal)));
            var result = Paging.BySequence(matches, newestFirst: true, page, c => c.ToDto());
            return TypedResults.Json(result, SandboxJsonContext.Default.CursorPageConfigurationDto);
        }
    }

    private static IResult Get([FromRoute(Name = "config_id")] string configId, RequestProject project, SandboxState state)
    {
        lock (state.Gate)
        {
            return state.Configurations.TryGet(project.Id, configId, out var config)
                ? TypedResults.Json(config.ToDto(), SandboxJsonContext.Default.ConfigurationDto)
                : ApiErrors.NotFound("Configuration", configId);
        }
    }

    private static async Task<IResult> UpdateAsync(
        [FromRoute(Name = "config_id")] string configId, HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, ConfigurationCatalog catalog)
    {
        var (body, error) = await JsonBody.ReadAsync(request);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        v.RequireObject(body);
        BodyFields.Check(v, body, options.Guesses, BodyFields.ConfigurationUpdate);
        var name = v.NonEmptyString(body, "name", required: false);
        var parameters = v.Object(body, "parameters", required: false);
        var productType = parameters is null ? null : ConfigurationParameters.Validate(parameters.Value, v, options.Guesses, "parameters");
        if (!v.IsValid)
        {
            return v.ToResult();
        }

        lock (state.Gate)
        {
            if (!state.Configurations.TryGet(project.Id, configId, out var config))
            {
                return ApiErrors.NotFound("Configuration", configId);
            }

            var newName = name ?? config.Name;
            var newType = productType ?? config.ProductType;
            if (state.Configurations.In(project.Id).Any(c => c.Id != configId && c.Name == newName && c.ProductType == newType))
            {
                return ApiErrors.Conflict($"A {newType} configuration named '{newName}' already exists");
            }

            if (parameters is { } extract && newType == "extract_v2" && !ParseConfigIdKnown(catalog, project.Id, extract, v))
            {
                return v.ToResult();
            }

            config.Name = newName;
            config.ProductType = newType;
            config.Parameters = parameters is { } sent ? StoredParameters.Keep(newType, sent) : config.Parameters;
            config.UpdatedAt = state.Now;
            return TypedResults.Json(config.ToDto(), SandboxJsonContext.Default.ConfigurationDto);
        }
    }

    // Under the state lock: the parse configuration named must exist when the extract configuration is saved.
    private static bool ParseConfigIdKnown(ConfigurationCatalog catalog, string projectId, JsonElement extract, BodyValidator v)
    {
        catalog.CheckParseConfigId(projectId, extract, v, "parameters");
        return v.IsValid;
    }

    private static IResult Delete([FromRoute(Name = "config_id")] string configId, RequestProject project, SandboxState state)
    {
        lock (state.Gate)
        {
            return state.Configurations.Remove(project.Id, configId) ? TypedResults.NoContent() : ApiErrors.NotFound("Configuration", configId);
        }
    }
}
