using System.Text.Json.Nodes;
using BatchOrchestrator.Sandbox.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// Leaves optional fields out of successful JSON answers (<c>Sandbox:Guesses:OmitOptionalFieldsRate</c>):
/// each field of <see cref="OptionalFields"/> that the route's answer has goes, with that probability,
/// drawn from the Sandbox's seed; with <c>Sandbox:Guesses:OptionalFieldsAsNull</c> it stays as <c>null</c>
/// where the types allow that. A client that needs one of them to be there fails its tests.
/// </summary>
internal sealed class OptionalFieldsMiddleware(RequestDelegate next, SandboxOptions options)
{
    private readonly Random random = new(options.Seed);
    private readonly Lock gate = new();
    private readonly HashSet<string>? only = options.Guesses.OmitOptionalFields.Count == 0
        ? null
        : options.Guesses.OmitOptionalFields.ToHashSet(StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        var rate = options.Guesses.OmitOptionalFieldsRate;
        if (rate <= 0 || !RouteKeys.IsApi(context) || !OptionalFields.ByRoute.TryGetValue(RouteKeys.Of(context), out var paths))
        {
            await next(context);
            return;
        }

        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        using var buffer = new MemoryStream();
        var buffering = new StreamResponseBodyFeature(buffer, original);
        context.Features.Set<IHttpResponseBodyFeature>(buffering);
        try
        {
            await next(context);
            await buffering.CompleteAsync();
        }
        finally
        {
            context.Features.Set(original);
        }

        var response = context.Response;
        var body = buffer.ToArray();
        if (response.StatusCode is >= 200 and < 300 && response.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true
            && JsonNode.Parse(body) is JsonObject root)
        {
            foreach (var path in paths.Where(p => only is null || only.Contains(OptionalFields.Leaf(p))))
            {
                Omit(root, path.Split('.'), rate);
            }

            body = JsonSerializer.SerializeToUtf8Bytes(root, Json.SandboxJsonContext.Default.JsonNode);
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    private void Omit(JsonObject node, ReadOnlySpan<string> path, double rate)
    {
        var name = path[0];
        var isArray = name.EndsWith("[]", StringComparison.Ordinal);
        name = isArray ? name[..^2] : name;
        if (path.Length == 1)
        {
            var leaf = OptionalFields.Leaf(name);
            if (node.ContainsKey(leaf) && Draw() < rate)
            {
                if (options.Guesses.OptionalFieldsAsNull && !OptionalFields.IsNeverNull(name))
                {
                    node[leaf] = null;
                }
                else
                {
                    node.Remove(leaf);
                }
            }

            return;
        }

        var rest = path[1..];
        switch (node[name])
        {
            case JsonArray array when isArray:
                foreach (var element in array.OfType<JsonObject>())
                {
                    Omit(element, rest, rate);
                }

                break;
            case JsonObject child when !isArray:
                Omit(child, rest, rate);
                break;
            default:
                break;
        }
    }

    private double Draw()
    {
        lock (gate)
        {
            return random.NextDouble();
        }
    }
}
