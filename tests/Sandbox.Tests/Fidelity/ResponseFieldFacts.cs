namespace BatchOrchestrator.Sandbox.Tests.Fidelity;

/// <summary>
/// An answer carries its response type's fields and no others, as FastAPI serialises only a route's response model
/// (src/Sandbox/README.md, "What the Sandbox had to guess"): whatever was stored beside them stays out.
/// </summary>
public sealed class ResponseFieldFacts : SandboxPerTest
{
    /// <summary>
    /// <c>ExtractV2Job.configuration</c> is an <c>ExtractConfiguration</c> (TS SDK 2.16.0 <c>resources/extract.d.ts</c>),
    /// which has no <c>product_type</c>: the saved <c>ExtractV2Parameters</c> a job runs with do, and a client reading the
    /// job with <c>expand=configuration</c>, as ours does for the billed tier, must not be shown it.
    /// </summary>
    [Fact]
    public async Task AnExtractJobsConfiguration_FromASavedConfiguration_HasNoProductType()
    {
        var config = (string)(await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", new
        {
            name = "invoices",
            parameters = new { product_type = "extract_v2", data_schema = new { type = "object" }, tier = "cost_effective", parse_tier = "fast" },
        }))["id"]!;
        var (_, entry) = await Sandbox.DirectoryWithTextFileAsync("e", "a.txt", "Invoice number: X-1");
        var job = (string)(await Sandbox.OkAsync(HttpMethod.Post, "api/v2/extract", new { file_input = entry, configuration_id = config }))["id"]!;

        var answer = await Sandbox.OkAsync(HttpMethod.Get, $"api/v2/extract/{job}?expand=configuration");

        var configuration = answer["configuration"]!.AsObject();
        Assert.Equal(["data_schema", "tier", "parse_tier"], configuration.Select(p => p.Key));
        Assert.Equal("cost_effective", (string)configuration["tier"]!);
    }

    [Fact]
    public async Task AnExtractJobsInlineConfiguration_AnswersWithoutTheFieldsItsTypeLacks()
    {
        var (_, entry) = await Sandbox.DirectoryWithTextFileAsync("e", "a.txt", "Invoice number: X-1");
        var job = (string)(await Sandbox.OkAsync(HttpMethod.Post, "api/v2/extract", """
            {"file_input": "ENTRY", "configuration": {"data_schema": {"type": "object"}, "extraction_target": "per_page", "product_type": "extract_v2", "priority": "high"}}
            """.Replace("ENTRY", entry, StringComparison.Ordinal)))["id"]!;

        var listed = await Sandbox.OkAsync(HttpMethod.Get, $"api/v2/extract?job_ids={job}&expand=configuration");

        var configuration = listed["items"]![0]!["configuration"]!.AsObject();
        Assert.Equal(["data_schema", "extraction_target"], configuration.Select(p => p.Key));
    }

    /// <summary>
    /// <c>ConfigurationResponse.parameters</c> is typed per product type (TS SDK 2.16.0 <c>resources/configurations.d.ts</c>): a
    /// field the type lacks, at any depth, was ignored when sent and is not answered. Only <c>UntypedParameters</c>
    /// ("arbitrary JSON fields alongside product_type") keeps every field.
    /// </summary>
    [Fact]
    public async Task ASavedConfigurationsParameters_AnswerTheirTypesFieldsAlone()
    {
        var parse = (string)(await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", """
            {"name": "p", "parameters": {"product_type": "parse_v2", "tier": "fast", "version": "latest", "colour": "blue",
             "output_options": {"markdown": {"annotate_links": true, "shade": 1}}, "webhook_configurations": [{"webhook_url": "https://example.com/h", "retries": 3}]}}
            """))["id"]!;
        var classify = (string)(await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", """{"name": "c", "parameters": {"product_type": "unknown"}}"""))["id"]!;
        var untyped = await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", """{"name": "u", "parameters": {"product_type": "unknown", "colour": "blue"}}""");

        var read = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/configurations/{parse}");
        var updated = await Sandbox.OkAsync(HttpMethod.Put, $"api/v1/beta/configurations/{classify}", """
            {"parameters": {"product_type": "classify_v2", "rules": [{"type": "invoice", "description": "bills", "weight": 2}], "threshold": 0.5}}
            """);

        Assert.Equal(
            """{"product_type":"parse_v2","tier":"fast","version":"latest","output_options":{"markdown":{"annotate_links":true}},"webhook_configurations":[{"webhook_url":"https://example.com/h"}]}""",
            read["parameters"]!.ToJsonString());
        Assert.Equal("""{"product_type":"classify_v2","rules":[{"type":"invoice","description":"bills"}]}""", updated["parameters"]!.ToJsonString());
        Assert.Equal("blue", (string)untyped["parameters"]!["colour"]!);
    }
}
