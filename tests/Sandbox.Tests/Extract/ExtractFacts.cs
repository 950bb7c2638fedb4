namespace BatchOrchestrator.Sandbox.Tests.Extract;

public sealed class ExtractFacts
{
    private static readonly JsonObject InvoiceSchema = JsonNode.Parse("""
        {
          "type": "object",
          "properties": {
            "invoice_number": { "type": "string" },
            "total": { "type": "number" },
            "paid": { "type": "boolean" },
            "currency": { "type": "string", "enum": ["EUR", "USD"] },
            "issued": { "type": "string", "format": "date" },
            "lines": { "type": "array", "items": { "$ref": "#/$defs/line" } }
          },
          "$defs": { "line": { "type": "object", "properties": { "qty": { "type": "integer" } } } }
        }
        """)!.AsObject();

    private static async Task<string> SaveSchemaAsync(TestSandbox sandbox, string target = "per_doc")
        => (string)(await sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", new JsonObject
        {
            ["name"] = "invoice-" + target,
            ["parameters"] = new JsonObject { ["product_type"] = "extract_v2", ["data_schema"] = InvoiceSchema.DeepClone(), ["tier"] = "cost_effective", ["extraction_target"] = target },
        }.ToJsonString()))["id"]!;

    [Fact]
    public async Task ExtractBatch_ProducesResultsShapedByTheSavedSchema_UsingTheDocumentText()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var config = await SaveSchemaAsync(sandbox);
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("e", "inv.txt", "ACME Ltd\nInvoice number: INV-0042\nTotal: 12.50\n");

        var done = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir, "extract_v2", config), "COMPLETED");
        var reference = done["results"]![0]!["job_reference"]!;
        var job = await sandbox.WaitForAsync($"api/v2/extract/{(string)reference["id"]!}?expand=usage&expand=extract_metadata&expand=configuration", j => (string)j["status"]! == "COMPLETED");

        Assert.Equal("extract_v2", (string)reference["type"]!);
        Assert.StartsWith("ext-", (string)reference["id"]!, StringComparison.Ordinal);
        var result = job["extract_result"]!;
        Assert.Equal("INV-0042", (string)result["invoice_number"]!);
        Assert.IsType<double>((double)result["total"]!);
        Assert.IsType<bool>((bool)result["paid"]!);
        Assert.Equal("EUR", (string)result["currency"]!);
        Assert.Matches(@"^2026-\d\d-\d\d$", (string)result["issued"]!);
        Assert.IsType<int>((int)result["lines"]![0]!["qty"]!);
        Assert.Equal(config, (string)job["configuration_id"]!);
        Assert.Equal("cost_effective", (string)job["configuration"]!["tier"]!);
        Assert.True((double)job["usage"]!["credits"]! > 0);
        Assert.NotNull(job["extract_metadata"]);
    }

    [Fact]
    public async Task ExtractBatch_Is422_ForAnUnsavedConfiguration_UnlessAllowed()
    {
        await using var strict = await TestSandbox.StartAsync();
        await using var lenient = await TestSandbox.StartAsync(o => o.AllowUnsavedExtractConfigurations = true);
        var strictDir = await strict.CreateDirectoryAsync("e");
        var lenientDir = await lenient.CreateDirectoryAsync("e");

        var (status, _) = await strict.PostAsync("api/v2/batches", new { source_directory_id = strictDir, config = new { job = new { type = "extract_v2", configuration_id = "cfg-anything" } } });
        var accepted = await lenient.CreateBatchAsync(lenientDir, "extract_v2", "cfg-anything");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.StartsWith("bat-", accepted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PerPageTarget_GivesAnArrayWithOneObjectPerPage()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var config = await SaveSchemaAsync(sandbox, "per_page");
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("e", "two.txt", "page one\fpage two");

        var done = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir, "extract_v2", config), "COMPLETED");
        var job = await sandbox.WaitForAsync($"api/v2/extract/{(string)done["results"]![0]!["job_reference"]!["id"]!}", j => (string)j["status"]! == "COMPLETED");

        Assert.Equal(2, job["extract_result"]!.AsArray().Count);
        Assert.Equal(2, (int)job["metadata"]!["usage"]!["num_pages_extracted"]!);
    }

    [Fact]
    public async Task Create_WithInlineConfiguration_OrAParseJobInput_AndValidation()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.JobRunningSteps = 1000);
        var (dir, entry) = await sandbox.DirectoryWithTextFileAsync("e", "a.txt", "Invoice number: X-1");
        var parse = await sandbox.OkAsync(HttpMethod.Post, "api/v2/parse", new { tier = "agentic", version = "latest", file_id = entry });
        var inline = new JsonObject { ["data_schema"] = InvoiceSchema.DeepClone() };

        var fromFile = await sandbox.OkAsync(HttpMethod.Post, "api/v2/extract", new JsonObject { ["file_input"] = entry, ["configuration"] = inline.DeepClone() }.ToJsonString());
        var fromParse = await sandbox.OkAsync(HttpMethod.Post, "api/v2/extract", new JsonObject { ["file_input"] = (string)parse["id"]!, ["configuration"] = inline.DeepClone() }.ToJsonString());
        var (neither, neitherBody) = await sandbox.PostAsync("api/v2/extract", new { file_input = entry });
        var (noSchema, noSchemaBody) = await sandbox.PostAsync("api/v2/extract", new { file_input = entry, configuration = new { tier = "agentic" } });
        var (unknownInput, _) = await sandbox.PostAsync("api/v2/extract", new JsonObject { ["file_input"] = "dfl-none", ["configuration"] = inline.DeepClone() }.ToJsonString());
        var (unknownConfig, _) = await sandbox.PostAsync("api/v2/extract", new { file_input = entry, configuration_id = "cfg-none" });

        Assert.Equal("PENDING", (string)fromFile["status"]!);
        Assert.Null(fromFile["configuration_id"]);
        Assert.Equal((string)parse["id"]!, (string)fromParse["file_input"]!);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, neither);
        Assert.Equal("configuration", (string)neitherBody!["detail"]![0]!["loc"]![1]!);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noSchema);
        Assert.Equal("data_schema", (string)noSchemaBody!["detail"]![0]!["loc"]![2]!);
        Assert.Equal(HttpStatusCode.NotFound, unknownInput);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknownConfig);
    }

    [Fact]
    public async Task ListCancelDelete_AndGet404()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.JobRunningSteps = 1000);
        var config = await SaveSchemaAsync(sandbox);
        var (dir, entry) = await sandbox.DirectoryWithTextFileAsync("e", "a.txt", "x");
        var a = (string)(await sandbox.OkAsync(HttpMethod.Post, "api/v2/extract", new { file_input = entry, configuration_id = config }))["id"]!;
        var b = (string)(await sandbox.OkAsync(HttpMethod.Post, "api/v2/extract", new { file_input = entry, configuration_id = config }))["id"]!;

        var cancelled = await sandbox.OkAsync(HttpMethod.Post, $"api/v2/extract/{a}/cancel");
        var (again, _) = await sandbox.PostAsync($"api/v2/extract/{a}/cancel");
        var all = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/extract?configuration_id={config}");
        var byStatus = await sandbox.OkAsync(HttpMethod.Get, "api/v2/extract?status=CANCELLED");
        var byInput = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/extract?file_input={entry}&document_input_type=file_id&job_ids={b}");
        var deleted = await sandbox.OkAsync(HttpMethod.Delete, $"api/v2/extract/{a}");
        var (gone, _) = await sandbox.GetAsync($"api/v2/extract/{a}");
        var (badStatus, _) = await sandbox.GetAsync("api/v2/extract?status=NOPE");

        Assert.Equal("CANCELLED", (string)cancelled["status"]!);
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal(new[] { b, a }, all["items"]!.AsArray().Select(j => (string)j!["id"]!));
        Assert.Equal(a, (string)byStatus["items"]!.AsArray().Single()!["id"]!);
        Assert.Equal(b, (string)byInput["items"]!.AsArray().Single()!["id"]!);
        Assert.Empty(deleted.AsObject());
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badStatus);
        Assert.Equal(2, await sandbox.Admin.CounterAsync("extract_jobs_created_total"));
    }

    /// <summary>
    /// "document_input_type?: string | null" (TS SDK 2.16.0 <c>resources/extract.d.ts</c>, <c>ExtractListParams</c>): a str
    /// parameter, so FastAPI takes any value; only the two its comment names ("file_id or parse_job_id") match jobs.
    /// </summary>
    [Fact]
    public async Task List_TakesAnyDocumentInputType_AndOnlyTheTwoNamedOnesMatchJobs()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.JobRunningSteps = 1000);
        var config = await SaveSchemaAsync(sandbox);
        var (_, entry) = await sandbox.DirectoryWithTextFileAsync("e", "a.txt", "x");
        await sandbox.OkAsync(HttpMethod.Post, "api/v2/extract", new { file_input = entry, configuration_id = config });

        var byFile = await sandbox.OkAsync(HttpMethod.Get, "api/v2/extract?document_input_type=file_id");
        var byParse = await sandbox.OkAsync(HttpMethod.Get, "api/v2/extract?document_input_type=parse_job_id");
        var (other, otherBody) = await sandbox.GetAsync("api/v2/extract?document_input_type=source_url");

        Assert.Single(byFile["items"]!.AsArray());
        Assert.Empty(byParse["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, other);
        Assert.Empty(otherBody!["items"]!.AsArray());
    }

    /// <summary>
    /// "Additional fields to include: configuration, extract_metadata" for the list, "…, usage" for the get (TS SDK 2.16.0
    /// <c>resources/extract.d.ts</c>, <c>ExtractListParams</c> and <c>ExtractGetParams</c>): a list asked for usage answers without it.
    /// </summary>
    [Fact]
    public async Task List_ExpandsOnlyWhatItsParamsName_NotUsage()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var config = await SaveSchemaAsync(sandbox);
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("e", "inv.txt", "Invoice number: INV-7");
        var id = (string)(await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir, "extract_v2", config), "COMPLETED"))["results"]![0]!["job_reference"]!["id"]!;
        await sandbox.WaitForAsync($"api/v2/extract/{id}", j => (string)j["status"]! == "COMPLETED");

        var listed = (await sandbox.OkAsync(HttpMethod.Get, "api/v2/extract?expand=usage&expand=configuration"))["items"]!.AsArray().Single()!;
        var got = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/extract/{id}?expand=usage&expand=configuration");

        Assert.Null(listed["usage"]);
        Assert.NotNull(listed["configuration"]);
        Assert.NotNull(got["usage"]);
    }
}
