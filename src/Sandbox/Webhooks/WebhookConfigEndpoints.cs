using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace BatchOrchestrator.Sandbox.Webhooks;

/// <summary>Saved webhook configurations (docs/llamacloud-api.md §9); the list is a plain array, newest first.</summary>
internal static class WebhookConfigEndpoints
{
    private const string Route = "/api/v1/beta/webhook-configs";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(Route, CreateAsync);
        app.MapGet(Route, List);
        app.MapGet(Route + "/{config_id}", Get);
        app.MapPut(Route + "/{config_id}", UpdateAsync);
        app.MapDelete(Route + "/{config_id}", Delete);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options)
    {
        var (body, error) = await JsonBody.ReadAsync(request);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        v.RequireObject(body);
        BodyFields.Check(v, body, options.Guesses, BodyFields.WebhookConfigCreate);
        var target = WebhookConfigurations.ReadOne(body, v, urlRequired: true, WebhookFieldTypes.Saved);
        if (!v.IsValid || target is null)
        {
            return v.ToResult();
        }

        lock (state.Gate)
        {
            var now = state.Now;
            var config = new WebhookConfigRecord
            {
                Sequence = state.NextSequence(),
                Id = Ids.Plain(),
                ProjectId = project.Id,
                Url = target.Url,
                Events = target.Events,
                Headers = target.Headers.Count == 0 ? null : target.Headers,
                OutputFormat = target.OutputFormat,
                SigningSecret = target.SigningSecret,
                CreatedAt = now,
                UpdatedAt = now,
            };
            state.WebhookConfigs.Add(config);
            return TypedResults.Json(config.ToDto(), SandboxJsonContext.Default.WebhookConfigDto);
        }
    }

    private static JsonHttpResult<IReadOnlyList<WebhookConfigDto>> List(RequestProject project, SandboxState state)
    {
        lock (state.Gate)
        {
            IReadOnlyList<WebhookConfigDto> all = [.. state.WebhookConfigs.In(project.Id).OrderByDescending(c => c.Sequence).Select(c => c.ToDto())];
            return TypedResults.Json(all, SandboxJsonContext.Default.IReadOnlyListWebhookConfigDto);
        }
    }

    private static IResult Get([FromRoute(Name = "config_id")] string configId, RequestProject project, SandboxState state)
    {
        lock (state.Gate)
        {
            return state.WebhookConfigs.TryGet(project.Id, configId, out var config)
                ? TypedResults.Json(config.ToDto(), SandboxJsonContext.Default.WebhookConfigDto)
                : ApiErrors.NotFound("Webhook configuration", configId);
        }
    }

    /// <summary>"Only fields present in the request change" (SDK webhook-configs.ts).</summary>
    private static async Task<IResult> UpdateAsync([FromRoute(Name = "config_id")] string configId, HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options)
    {
        var (body, error) = await JsonBody.ReadAsync(request);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        v.RequireObject(body);
        BodyFields.Check(v, body, options.Guesses, BodyFields.WebhookConfigUpdate);
        var target = WebhookConfigurations.ReadOne(body, v, urlRequired: false, WebhookFieldTypes.Saved);
        if (!v.IsValid)
        {
            return v.ToResult();
        }

        lock (state.Gate)
        {
            if (!state.WebhookConfigs.TryGet(project.Id, configId, out var config))
            {
                return ApiErrors.NotFound("Webhook configuration", configId);
            }

            bool Present(string name) => body.TryGetProperty(name, out _);
            config.Url = target?.Url ?? config.Url;
            config.Events = Present("webhook_events") ? ReadEvents(body) : config.Events;
            config.Headers = Present("webhook_headers") ? ReadHeaders(body) : config.Headers;
            config.OutputFormat = Present("webhook_output_format") ? BodyValidator.Get(body, "webhook_output_format")?.GetString() : config.OutputFormat;
            config.SigningSecret = Present("webhook_signing_secret") ? BodyValidator.Get(body, "webhook_signing_secret")?.GetString() : config.SigningSecret;
            config.UpdatedAt = state.Now;
            return TypedResults.Json(config.ToDto(), SandboxJsonContext.Default.WebhookConfigDto);
        }
    }

    private static IResult Delete([FromRoute(Name = "config_id")] string configId, RequestProject project, SandboxState state)
    {
        lock (state.Gate)
        {
            return state.WebhookConfigs.Remove(project.Id, configId) ? TypedResults.NoContent() : ApiErrors.NotFound("Webhook configuration", configId);
        }
    }

    private static List<string>? ReadEvents(JsonElement body)
        => BodyValidator.Get(body, "webhook_events") is { } events ? [.. events.EnumerateArray().Select(e => e.GetString()!)] : null;

    private static Dictionary<string, string>? ReadHeaders(JsonElement body)
        => BodyValidator.Get(body, "webhook_headers") is { } headers
            ? headers.EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetString()!, StringComparer.OrdinalIgnoreCase)
            : null;
}
