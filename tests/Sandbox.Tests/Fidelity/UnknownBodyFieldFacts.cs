namespace BatchOrchestrator.Sandbox.Tests.Fidelity;

/// <summary>
/// A top-level field no SDK type has, in every JSON create body: ignored by default (pydantic's default, and what
/// every create did before the v2 batch create was looked at alone), refused with <c>extra_forbidden</c> under
/// <c>Guesses:RefuseUnknownBodyFields</c>; the fields the types do have are never refused.
/// </summary>
public sealed class UnknownBodyFieldFacts : SandboxPerTest
{
    public static TheoryData<string, string> Creates => new()
    {
        { "api/v1/beta/directories", """{"name":"d","type":"ephemeral","description":null,"connector_subscription_id":null,"system_metadata":null}""" },
        { "api/v2/batches", """{"source_directory_id":"dir-none","config":{"job":{"type":"parse_v2","configuration_id":"cfg-PARSE_AGENTIC"}},"webhook_configurations":null,"webhook_configuration_ids":null}""" },
        { "api/v2/parse", """{"tier":"fast","version":"latest","file_id":"dfl-none","client_name":null,"disable_cache":null,"user_metadata":null,"webhook_configurations":[]}""" },
        { "api/v2/extract", """{"file_input":"dfl-none","configuration":{"data_schema":{"type":"object","properties":{}}},"configuration_id":null,"webhook_configurations":null}""" },
        { "api/v1/beta/configurations", """{"name":"c","parameters":{"product_type":"parse_v2","tier":"fast","version":"latest"}}""" },
        { "api/v1/beta/webhook-configs", """{"webhook_url":"https://example.com/h","webhook_events":null,"webhook_headers":null,"webhook_output_format":null,"webhook_signing_secret":null}""" },
        { "api/v1/beta/batch-processing", """{"item_ids":["dfl-none"],"job_config":{"job_name":"parse_raw_file_job"},"continue_as_new_threshold":null,"directory_id":null}""" },
    };

    [Theory]
    [MemberData(nameof(Creates))]
    public async Task AnUnknownField_IsIgnored_ByDefault(string path, string json)
    {
        var (_, body) = await Sandbox.PostAsync(path, WithUnknownField(json));

        // Some bodies name nothing that exists and are refused for that; none for the unknown field.
        Assert.DoesNotContain("surprise", body?.ToJsonString() ?? "", StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Creates))]
    public async Task AnUnknownField_IsRefused_WhenTheGuessSaysSo_AndNoTypedFieldIs(string path, string json)
    {
        await RestartSandboxAsync(o => o.Guesses.RefuseUnknownBodyFields = true);

        var (status, body) = await Sandbox.PostAsync(path, WithUnknownField(json));
        var (_, typedOnly) = await Sandbox.PostAsync(path, json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var issue = Assert.Single(body!["detail"]!.AsArray(), i => (string)i!["type"]! == "extra_forbidden");
        Assert.Equal("body,surprise", string.Join(',', issue!["loc"]!.AsArray().Select(l => (string)l!)));
        Assert.DoesNotContain("extra_forbidden", typedOnly?.ToJsonString() ?? "", StringComparison.Ordinal);
    }

    /// <summary>Adds and updates name ids never issued: the body is checked before the id is looked up.</summary>
    public static TheoryData<string, string, string> Changes => new()
    {
        { "PATCH", "api/v1/beta/directories/dir-none", """{"name":"n","description":null}""" },
        { "POST", "api/v1/beta/directories/dir-none/files", """{"file_id":"dfl-none","display_name":null,"unique_id":null,"metadata":null}""" },
        { "PATCH", "api/v1/beta/directories/dir-none/files/dfl-none", """{"display_name":"d","unique_id":null,"target_directory_id":null,"metadata":null}""" },
        { "PUT", "api/v1/beta/configurations/cfg-none", """{"name":"c","parameters":null}""" },
        { "PUT", "api/v1/beta/webhook-configs/none", """{"webhook_url":"https://example.com/h","webhook_output_format":"json","webhook_signing_secret":null}""" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task AnUnknownField_OfAnAddOrUpdate_IsRefused_WhenTheGuessSaysSo_AndIgnoredOtherwise(string method, string path, string json)
    {
        var (_, ignored) = await Sandbox.SendAsync(new HttpMethod(method), path, WithUnknownField(json));
        await RestartSandboxAsync(o => o.Guesses.RefuseUnknownBodyFields = true);

        var (status, body) = await Sandbox.SendAsync(new HttpMethod(method), path, WithUnknownField(json));
        var (typedStatus, _) = await Sandbox.SendAsync(new HttpMethod(method), path, json);

        Assert.DoesNotContain("surprise", ignored?.ToJsonString() ?? "", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var issue = Assert.Single(body!["detail"]!.AsArray());
        Assert.Equal("body,surprise", string.Join(',', issue!["loc"]!.AsArray().Select(l => (string)l!)));
        Assert.Equal(HttpStatusCode.NotFound, typedStatus);
    }

    [Fact]
    public async Task AnUnknownField_OfAParseUploadConfiguration_IsRefused_WhenTheGuessSaysSo()
    {
        await RestartSandboxAsync(o => o.Guesses.RefuseUnknownBodyFields = true);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("x"u8.ToArray()), "file", "u.md" },
            { new StringContent("""{"tier":"fast","version":"latest","surprise":1}"""), "configuration" },
        };

        using var response = await Sandbox.Client.PostAsync("api/v2/parse/upload", form, Ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var issue = Assert.Single(body!["detail"]!.AsArray());
        Assert.Equal("body,surprise", string.Join(',', issue!["loc"]!.AsArray().Select(l => (string)l!)));
    }

    private static string WithUnknownField(string json) => json[..^1] + ""","surprise":1}""";
}
