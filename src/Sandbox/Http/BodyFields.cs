namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// The top-level fields of each JSON create, add or update body, as SDK 2.16.0 types them (2.13.0 for v1 batch processing), less
/// <c>organization_id</c> and <c>project_id</c>, which the SDK takes out of the params and sends as query
/// (<c>const { organization_id, project_id, ...body } = params</c> in each <c>resources/*.js</c>). Whether the service
/// refuses a field its model lacks is not documented: pydantic ignores one unless told otherwise, so the Sandbox
/// does too, and refuses it only under <see cref="SandboxGuesses.RefuseUnknownBodyFields"/>.
/// </summary>
internal static class BodyFields
{
    /// <summary><c>resources/beta/directories/directories.d.ts</c>, <c>DirectoryCreateParams</c>.</summary>
    public static readonly IReadOnlySet<string> DirectoryCreate = Set("name", "connector_subscription_id", "description", "system_metadata", "type");

    /// <summary><c>resources/batches.d.ts</c>, <c>BatchCreateParams</c>.</summary>
    public static readonly IReadOnlySet<string> BatchCreate = Set("config", "source_directory_id", "webhook_configuration_ids", "webhook_configurations");

    /// <summary><c>resources/parsing.d.ts</c>, <c>ParsingCreateParams</c>.</summary>
    public static readonly IReadOnlySet<string> ParseCreate = Set(
        "tier", "version", "agentic_options", "client_name", "configuration_id", "crop_box", "disable_cache", "fast_options", "file_id", "http_proxy",
        "input_options", "output_options", "page_ranges", "processing_control", "processing_options", "source_url", "user_metadata",
        "webhook_configuration_ids", "webhook_configurations");

    /// <summary><c>resources/extract.d.ts</c>, <c>ExtractCreateParams</c>.</summary>
    public static readonly IReadOnlySet<string> ExtractCreate = Set("file_input", "configuration", "configuration_id", "webhook_configuration_ids", "webhook_configurations");

    /// <summary><c>resources/configurations.d.ts</c>, <c>ConfigurationCreateParams</c>.</summary>
    public static readonly IReadOnlySet<string> ConfigurationCreate = Set("name", "parameters");

    /// <summary><c>resources/webhook-configs.d.ts</c>, <c>WebhookConfigCreateParams</c>.</summary>
    public static readonly IReadOnlySet<string> WebhookConfigCreate = Set("webhook_url", "webhook_events", "webhook_headers", "webhook_output_format", "webhook_signing_secret");

    /// <summary><c>resources/beta/directories/directories.d.ts</c>, <c>DirectoryUpdateParams</c>.</summary>
    public static readonly IReadOnlySet<string> DirectoryUpdate = Set("name", "description");

    /// <summary><c>resources/beta/directories/files.d.ts</c>, <c>FileAddParams</c>.</summary>
    public static readonly IReadOnlySet<string> DirectoryFileAdd = Set("file_id", "display_name", "metadata", "unique_id");

    /// <summary><c>resources/beta/directories/files.d.ts</c>, <c>FileUpdateParams</c> (its <c>directory_id</c> is the path).</summary>
    public static readonly IReadOnlySet<string> DirectoryFileUpdate = Set("display_name", "metadata", "target_directory_id", "unique_id");

    /// <summary><c>resources/configurations.d.ts</c>, <c>ConfigurationUpdateParams</c>.</summary>
    public static readonly IReadOnlySet<string> ConfigurationUpdate = Set("name", "parameters");

    /// <summary><c>resources/webhook-configs.d.ts</c>, <c>WebhookConfigUpdateParams</c>: the create's fields, each optional.</summary>
    public static readonly IReadOnlySet<string> WebhookConfigUpdate = WebhookConfigCreate;

    /// <summary>TypeScript SDK 2.13.0 <c>resources/beta/batch/batch.d.ts</c>, <c>BatchCreateParams</c> (its <c>temporal-namespace</c> is a header).</summary>
    public static readonly IReadOnlySet<string> V1BatchCreate = Set("job_config", "continue_as_new_threshold", "directory_id", "item_ids", "page_size");

    /// <summary>Refuses each top-level field of <paramref name="body"/> outside <paramref name="fields"/>, when the guess says the service would.</summary>
    public static void Check(BodyValidator v, JsonElement body, SandboxGuesses guesses, IReadOnlySet<string> fields)
    {
        if (guesses.RefuseUnknownBodyFields && body.ValueKind == JsonValueKind.Object)
        {
            v.ForbidExtra(body, fields);
        }
    }

    private static HashSet<string> Set(params string[] names) => new(names, StringComparer.Ordinal);
}
