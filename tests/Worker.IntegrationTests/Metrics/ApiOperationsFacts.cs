namespace BatchOrchestrator.Worker.IntegrationTests.Metrics;

/// <summary>The API metrics' <c>operation</c> label: one scheme, few values, each documented.</summary>
public sealed class ApiOperationsFacts
{
    /// <summary>The scheme: snake_case, verb first, nothing that varies from one request to the next.</summary>
    public static readonly Regex Scheme = new("^(create|list|get|delete|upload|cancel)(_[a-z0-9]+)+$|^other$", RegexOptions.None, TimeSpan.FromSeconds(1));

    [Theory]
    [InlineData("POST", "/api/v1/beta/directories/dir-3f2a/files/upload", "upload_file")]
    [InlineData("GET", "/api/v1/beta/directories", "list_directories")]
    [InlineData("GET", "/api/v1/beta/directories/dir-3f2a/files/dfl-77", "get_directory_file")]
    [InlineData("GET", "/api/v2/batches/bch-1", "get_batch")]
    [InlineData("POST", "/api/v2/batches", "create_batch")]
    [InlineData("POST", "/api/v2/batches/bch-1/cancel", "cancel_batch")]
    [InlineData("GET", "/api/v1/beta/batch-processing/job-9/items", "list_v1_batch_items")]
    [InlineData("GET", "/api/v1/classifier/jobs/cls-123/results", "get_classify_results")]
    [InlineData("GET", "/api/v1/beta/configurations/cfg-PARSE_FAST", "get_configuration")]
    [InlineData("GET", "/proxy/llama/api/v2/parse/pjb-5", "get_parse_job")]
    [InlineData("PATCH", "/api/v2/batches/bch-1", "other")]
    [InlineData("GET", "/api/v3/something/new-42", "other")]
    [InlineData("GET", "/", "other")]
    public void Of_NamesTheRequestByTheScheme_WhateverItsIdsOrPrefix(string method, string path, string expected)
    {
        var name = ApiOperations.Of(new HttpMethod(method), path);

        Assert.Equal(expected, name);
        Assert.Matches(Scheme, name);
    }

    [Fact]
    public void All_FollowTheScheme_AreDistinct_AndAreEachDocumented_WhenTheDocsListTheLabel()
    {
        var docs = File.ReadAllText(Repository.PathOf("docs/operations.md"));

        Assert.All(ApiOperations.All, r => Assert.Matches(Scheme, r.Name));
        Assert.Equal(ApiOperations.All.Count, ApiOperations.All.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(ApiOperations.All.Select(r => r.Name).Append(ApiOperations.Other), name => Assert.Contains($"`{name}`", docs, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryRequestTheClientWrites_HasANameOfItsOwn()
    {
        // The client's requests as its source writes them: the helper (its method) and the path below the base URL, the v1
        // group's written through its route's constant.
        var request = new Regex(@"\b(Get|Post|Delete|ListAll)(?:Async)?\((?:string\.Create\(CultureInfo\.InvariantCulture, )?\$?""(api/[^""?]*)", RegexOptions.None, TimeSpan.FromSeconds(1));
        var v1Route = new Regex(@"V1Route = ""([^""]+)""", RegexOptions.None, TimeSpan.FromSeconds(1));
        var written = Directory.GetFiles(Repository.PathOf("src/Core/LlamaCloud"), "LlamaCloudClient*.cs")
            .Select(File.ReadAllText)
            .Select(code => v1Route.Match(code) is { Success: true } route
                ? code.Replace("{V1Route}", route.Groups[1].Value, StringComparison.Ordinal).Replace("(V1Route,", $"(\"{route.Groups[1].Value}\",", StringComparison.Ordinal)
                : code)
            .SelectMany(code => request.Matches(code))
            .Select(m => (Method: m.Groups[1].Value switch { "Post" => "POST", "Delete" => "DELETE", _ => "GET" }, Path: Regex.Replace(m.Groups[2].Value, @"\{[^}]*\}", "x", RegexOptions.None, TimeSpan.FromSeconds(1))))
            .ToList();

        Assert.True(written.Count >= 24, $"found only {written.Count} requests in the client's source: has its shape changed?");
        Assert.Contains(("POST", "api/v1/beta/batch-processing/x/cancel"), written);
        Assert.All(written, r => Assert.True(ApiOperations.Of(new HttpMethod(r.Method), "/" + r.Path) != ApiOperations.Other, $"{r.Method} {r.Path} is named '{ApiOperations.Other}'"));
    }
}
