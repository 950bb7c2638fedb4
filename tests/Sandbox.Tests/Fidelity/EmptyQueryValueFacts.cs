namespace BatchOrchestrator.Sandbox.Tests.Fidelity;

/// <summary>
/// A query parameter sent empty (<c>?status=</c>) reaches pydantic as "" (src/Sandbox/README.md, "What the Sandbox had
/// to guess"): a literal union has no "" and a timestamp filter is no timestamp, so each is a 422 at its place; a
/// parameter any string fits is still read as absent.
/// </summary>
public sealed class EmptyQueryValueFacts : SandboxPerTest
{
    [Theory]
    [InlineData("api/v2/batches?status=", "status")] // BatchListParams: 'CANCELLED' | … | null
    [InlineData("api/v2/batches?created_at_on_or_after=", "created_at_on_or_after")]
    [InlineData("api/v2/parse?status=", "status")]
    [InlineData("api/v2/parse?created_at_on_or_before=", "created_at_on_or_before")]
    [InlineData("api/v2/extract?status=", "status")]
    [InlineData("api/v1/beta/directories?type=", "type")]
    [InlineData("api/v1/beta/directories?types=user&types=", "types,1")] // a list's item is placed at its index
    [InlineData("api/v1/beta/directories/dir-none/files?updated_at_on_or_after=", "updated_at_on_or_after")]
    [InlineData("api/v1/beta/configurations?product_type=", "product_type,0")] // "product_type?: Array<…>"
    [InlineData("api/v1/beta/files?order_by=", "order_by")] // "One of 'name' …, 'id' … or 'created_at'"
    public async Task AnEmptyValue_Is422_WhereTheTypeIsALiteralOrATimestamp(string path, string parameter)
    {
        var (status, body) = await Sandbox.GetAsync(path);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var issue = Assert.Single(body!["detail"]!.AsArray());
        Assert.Equal("query," + parameter, string.Join(',', issue!["loc"]!.AsArray().Select(l => l!.ToString())));
    }

    [Theory]
    [InlineData("api/v2/batches?source_directory_id=")]
    [InlineData("api/v1/beta/directories?name=")]
    [InlineData("api/v2/extract?file_input=")]
    [InlineData("api/v2/extract?document_input_type=")] // "document_input_type?: string | null", though its comment names two
    public async Task AnEmptyValue_IsAbsent_WhereAnyStringGoes(string path)
    {
        var (status, _) = await Sandbox.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Theory]
    [InlineData("api/v2/batches?page_size=", "page_size", "int_parsing")] // PaginatedCursorParams "page_size?: number | null"
    [InlineData("api/v2/parse?page_size=", "page_size", "int_parsing")]
    [InlineData("api/v1/beta/batch-processing?limit=", "limit", "int_parsing")] // SDK 2.13.0 PaginatedBatchItemsParams
    [InlineData("api/v1/beta/batch-processing?offset=", "offset", "int_parsing")]
    [InlineData("api/v1/beta/directories?include_deleted=", "include_deleted", "bool_parsing")] // "include_deleted?: boolean"
    [InlineData("api/v1/beta/directories/dir-none/files?include_deleted=", "include_deleted", "bool_parsing")]
    [InlineData("api/v1/beta/configurations?latest_only=", "latest_only", "bool_parsing")] // "latest_only?: boolean | null"
    [InlineData("api/v1/beta/files/dfl-none/content?expires_at_seconds=", "expires_at_seconds", "float_parsing")] // "number | null"
    public async Task AnEmptyValue_Is422_WhereTheTypeIsANumberOrABoolean(string path, string parameter, string type)
    {
        var (status, body) = await Sandbox.GetAsync(path);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var issue = Assert.Single(body!["detail"]!.AsArray());
        Assert.Equal("query," + parameter, string.Join(',', issue!["loc"]!.AsArray().Select(l => l!.ToString())));
        Assert.Equal(type, issue["type"]!.ToString());
        Assert.Equal("", issue["input"]!.ToString());
    }

    /// <summary>pydantic reads a boolean from any of its words, in any case: the SDK's <c>true</c> is one of twelve.</summary>
    [Theory]
    [InlineData("TRUE")]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("t")]
    [InlineData("Y")]
    [InlineData("No")]
    [InlineData("off")]
    [InlineData("f")]
    public async Task ABooleanParameter_TakesEveryWordPydanticReads(string value)
    {
        var (status, _) = await Sandbox.GetAsync("api/v1/beta/directories?include_deleted=" + value);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task ABooleanParameter_RefusesAWordPydanticDoesNotRead_InItsWords()
    {
        var (status, body) = await Sandbox.GetAsync("api/v1/beta/configurations?latest_only=maybe");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var issue = Assert.Single(body!["detail"]!.AsArray());
        Assert.Equal("bool_parsing", issue!["type"]!.ToString());
        Assert.Equal("Input should be a valid boolean, unable to interpret input", issue["msg"]!.ToString());
        Assert.Equal("maybe", issue["input"]!.ToString());
    }
}
