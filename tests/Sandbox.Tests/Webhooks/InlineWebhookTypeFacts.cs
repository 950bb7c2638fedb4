namespace BatchOrchestrator.Sandbox.Tests.Webhooks;

/// <summary>
/// A create's inline <c>webhook_configurations[]</c> item takes every value its route's SDK 2.16.0 type allows, and only
/// those: batch and extract type <c>webhook_output_format</c> as any string, parse as <c>'json' | 'string'</c>; parse's
/// events are any strings and its header values anything. The bodies name no existing directory or file, so a body
/// the validation accepts is a 404 and one it refuses a 422.
/// </summary>
public sealed class InlineWebhookTypeFacts : SandboxPerTest
{
    private const string Batch = """{"source_directory_id":"dir-none","config":{"job":{"type":"parse_v2","configuration_id":"cfg-PARSE_AGENTIC"}},"webhook_configurations":[WEBHOOK]}""";
    private const string Extract = """{"file_input":"dfl-none","configuration":{"data_schema":{"type":"object","properties":{"a":{"type":"string"}}}},"webhook_configurations":[WEBHOOK]}""";
    private const string Parse = """{"file_id":"dfl-none","tier":"fast","version":"latest","webhook_configurations":[WEBHOOK]}""";

    public static TheoryData<string, string> Allowed => new()
    {
        // batches.d.ts and extract.d.ts: "webhook_output_format?: string | null"
        { "api/v2/batches", Batch.Replace("WEBHOOK", """{"webhook_url":"http://127.0.0.1/h","webhook_output_format":"xml"}""", StringComparison.Ordinal) },
        { "api/v2/extract", Extract.Replace("WEBHOOK", """{"webhook_url":"http://127.0.0.1/h","webhook_output_format":"xml"}""", StringComparison.Ordinal) },
        // every field of the item "?: … | null"
        { "api/v2/batches", Batch.Replace("WEBHOOK", Nulls, StringComparison.Ordinal) },
        { "api/v2/extract", Extract.Replace("WEBHOOK", Nulls, StringComparison.Ordinal) },
        { "api/v2/parse", Parse.Replace("WEBHOOK", Nulls, StringComparison.Ordinal) },
        // parsing.d.ts: "webhook_events?: Array<string> | null", "webhook_headers?: { [key: string]: unknown } | null"
        { "api/v2/parse", Parse.Replace("WEBHOOK", """{"webhook_url":"http://127.0.0.1/h","webhook_events":["parse.later"],"webhook_headers":{"X-Try":3}}""", StringComparison.Ordinal) },
        // an empty event list is refused only where documented, for saved configurations (webhook-configs.d.ts)
        { "api/v2/batches", Batch.Replace("WEBHOOK", """{"webhook_url":"http://127.0.0.1/h","webhook_events":[]}""", StringComparison.Ordinal) },
    };

    public static TheoryData<string, string, string> Refused => new()
    {
        // parsing.d.ts: "webhook_output_format?: 'json' | 'string' | null"
        { "api/v2/parse", Parse.Replace("WEBHOOK", """{"webhook_url":"http://127.0.0.1/h","webhook_output_format":"xml"}""", StringComparison.Ordinal), "literal_error" },
        // batches.d.ts: the event enum, and "webhook_headers?: { [key: string]: string } | null"
        { "api/v2/batches", Batch.Replace("WEBHOOK", """{"webhook_url":"http://127.0.0.1/h","webhook_events":["batch.later"]}""", StringComparison.Ordinal), "enum" },
        { "api/v2/batches", Batch.Replace("WEBHOOK", """{"webhook_url":"http://127.0.0.1/h","webhook_headers":{"X-Try":3}}""", StringComparison.Ordinal), "string_type" },
    };

    private const string Nulls = """{"webhook_url":"http://127.0.0.1/h","webhook_events":null,"webhook_headers":null,"webhook_output_format":null,"webhook_signing_secret":null}""";

    [Theory]
    [MemberData(nameof(Allowed))]
    public async Task AnItemTheRoutesTypesAllow_PassesValidation(string path, string json)
    {
        var (status, body) = await Sandbox.PostAsync(path, json);

        Assert.True(status == HttpStatusCode.NotFound, $"{status}: {body}");
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task AnItemTheRoutesTypesForbid_Is422(string path, string json, string type)
    {
        var (status, body) = await Sandbox.PostAsync(path, json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(type, (string)body!["detail"]![0]!["type"]!);
        Assert.Equal("webhook_configurations", (string)body["detail"]![0]!["loc"]![1]!);
    }

    [Fact]
    public async Task AnEmptyInlineEventList_IsRefused_WhenTheGuessSaysSo()
    {
        await RestartSandboxAsync(o => o.Guesses.RefuseEmptyInlineWebhookEvents = true);

        var (status, body) = await Sandbox.PostAsync("api/v2/extract", Extract.Replace("WEBHOOK", """{"webhook_url":"http://127.0.0.1/h","webhook_events":[]}""", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("too_short", (string)body!["detail"]![0]!["type"]!);
    }
}
