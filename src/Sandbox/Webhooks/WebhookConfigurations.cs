namespace BatchOrchestrator.Sandbox.Webhooks;

/// <summary>
/// Reads <c>webhook_configurations[]</c> and <c>webhook_configuration_ids[]</c> from a create body
/// (batch, parse, extract: docs/llamacloud-api.md §1.6) into delivery targets.
/// </summary>
internal static class WebhookConfigurations
{
    private static readonly IReadOnlyList<string> OutputFormats = ["string", "json"];

    /// <summary>Validates one webhook object (inline or saved); <paramref name="loc"/> is its location in the body.</summary>
    public static WebhookTarget? ReadOne(JsonElement item, BodyValidator v, bool urlRequired, WebhookFieldTypes types, params object[] loc)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            v.Add("dict_type", "Input should be a valid dictionary", loc);
            return null;
        }

        var url = v.String(item, "webhook_url", urlRequired, loc);
        if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            v.Add("url_parsing", "Input should be a valid URL", [.. loc, "webhook_url"]);
        }

        var events = v.StringArray(item, "webhook_events", loc);
        var sent = BodyValidator.Get(item, "webhook_events") is { ValueKind: JsonValueKind.Array } array ? [.. array.EnumerateArray()] : new List<JsonElement>();
        for (var i = 0; i < sent.Count && types.EventsFromEnum; i++)
        {
            // An enum item's error, at its index, in pydantic's words: the string_type of one that is no string is StringArray's.
            if (sent[i].ValueKind == JsonValueKind.String && !WebhookEvents.All.Contains(sent[i].GetString()!, StringComparer.Ordinal))
            {
                v.Add(Refusal.Literal(WebhookEvents.All, isEnum: true), [.. loc, "webhook_events", i]);
            }
        }

        if (events is { Count: 0 } && types.EmptyEventsRefused)
        {
            // "An empty list subscribes to nothing and is rejected": how is not said; read as a min_length of 1, so pydantic's
            // too_short in its own words (a guess, src/Sandbox/README.md).
            v.Add(Refusal.TooShort(1, 0), [.. loc, "webhook_events"]);
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (v.Object(item, "webhook_headers", required: false, loc) is { } headerObject)
        {
            foreach (var header in headerObject.EnumerateObject())
            {
                if (header.Value.ValueKind == JsonValueKind.String)
                {
                    headers[header.Name] = header.Value.GetString()!;
                }
                else if (types.HeaderValuesOfAnyType)
                {
                    headers[header.Name] = header.Value.GetRawText(); // a guess: what the service sends for a value that is no string is undocumented
                }
                else
                {
                    v.Add("string_type", "Input should be a valid string", [.. loc, "webhook_headers", header.Name]);
                }
            }
        }

        // Where the types say only "string" the service cannot refuse another value; the doc comment names 'string' (the
        // default) and 'json', so any other is delivered as the default (a guess, src/Sandbox/README.md).
        var format = (types.OutputFormatAnyString
            ? v.String(item, "webhook_output_format", required: false, loc)
            : v.Literal(item, "webhook_output_format", OutputFormats, required: false, loc)) ?? "string";
        var secret = v.String(item, "webhook_signing_secret", required: false, loc);
        return url is null ? null : new WebhookTarget(url, events, headers, format, secret);
    }

    /// <summary>Inline configurations plus saved ones of the project by id; unknown ids are 422 issues. Call under the state lock.</summary>
    public static List<WebhookTarget> Read(JsonElement body, BodyValidator v, SandboxState state, string projectId, WebhookFieldTypes types)
    {
        var targets = new List<WebhookTarget>();
        var inline = v.Array(body, "webhook_configurations") ?? [];
        for (var i = 0; i < inline.Count; i++)
        {
            if (ReadOne(inline[i], v, urlRequired: false, types, "webhook_configurations", i) is { } target)
            {
                targets.Add(target);
            }
        }

        var ids = v.StringArray(body, "webhook_configuration_ids") ?? [];
        for (var i = 0; i < ids.Count; i++)
        {
            if (state.WebhookConfigs.TryGet(projectId, ids[i], out var saved))
            {
                targets.Add(saved.ToTarget());
            }
            else
            {
                v.Add("value_error", $"Webhook configuration '{ids[i]}' not found", "webhook_configuration_ids", i);
            }
        }

        return targets;
    }
}
