namespace BatchOrchestrator.Worker.Metrics;

/// <summary>
/// The <c>operation</c> label of the API metrics: one snake_case name, verb then resource, for each request the
/// LlamaCloud client makes (docs/llamacloud-api.md), and <c>other</c> for any path not listed here. A fixed list keeps
/// the label's values few and the same across releases; no id, query or route template ever becomes one. The list is
/// in docs/operations.md, "Health and metrics", and a test holds the two together.
/// </summary>
internal static class ApiOperations
{
    public const string Other = "other";

    /// <summary>Method and path below <c>/api/</c>, <c>{id}</c> standing for any one segment, and the name.</summary>
    public static readonly IReadOnlyList<(string Method, string Path, string Name)> All =
    [
        ("POST", "v1/beta/directories", "create_directory"),
        ("GET", "v1/beta/directories", "list_directories"),
        ("GET", "v1/beta/directories/{id}", "get_directory"),
        ("DELETE", "v1/beta/directories/{id}", "delete_directory"),
        ("POST", "v1/beta/directories/{id}/files/upload", "upload_file"),
        ("GET", "v1/beta/directories/{id}/files", "list_directory_files"),
        ("GET", "v1/beta/directories/{id}/files/{id}", "get_directory_file"),
        ("DELETE", "v1/beta/directories/{id}/files/{id}", "delete_directory_file"),
        ("DELETE", "v1/beta/files/{id}", "delete_file"),
        ("GET", "v1/beta/configurations/{id}", "get_configuration"),
        ("POST", "v2/batches", "create_batch"),
        ("GET", "v2/batches", "list_batches"),
        ("GET", "v2/batches/{id}", "get_batch"),
        ("POST", "v2/batches/{id}/cancel", "cancel_batch"),
        ("POST", "v2/parse", "create_parse_job"),
        ("GET", "v2/parse", "list_parse_jobs"),
        ("GET", "v2/parse/{id}", "get_parse_job"),
        ("DELETE", "v2/parse/{id}", "delete_parse_job"),
        ("POST", "v2/parse/{id}/cancel", "cancel_parse_job"),
        ("GET", "v2/extract", "list_extract_jobs"),
        ("GET", "v2/extract/{id}", "get_extract_job"),
        ("DELETE", "v2/extract/{id}", "delete_extract_job"),
        ("POST", "v2/extract/{id}/cancel", "cancel_extract_job"),
        ("POST", "v1/beta/batch-processing", "create_v1_batch"),
        ("GET", "v1/beta/batch-processing", "list_v1_batches"),
        ("GET", "v1/beta/batch-processing/{id}", "get_v1_batch"),
        ("GET", "v1/beta/batch-processing/{id}/items", "list_v1_batch_items"),
        ("POST", "v1/beta/batch-processing/{id}/cancel", "cancel_v1_batch"),
        ("GET", "v1/classifier/jobs/{id}/results", "get_classify_results"),
    ];

    private static readonly (string Method, string[] Segments, string Name)[] Routes =
        [.. All.Select(r => (r.Method, r.Path.Split('/'), r.Name))];

    /// <summary>The name of a request to <paramref name="path"/> (a URL's absolute path, without its query).</summary>
    public static string Of(HttpMethod method, string path)
    {
        // From the "api" segment on, so a base URL with a path of its own (a proxy's prefix) names the same operations.
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var api = Array.IndexOf(segments, "api");
        if (api < 0)
        {
            return Other;
        }

        var below = segments.AsSpan(api + 1);
        foreach (var (routeMethod, route, name) in Routes)
        {
            if (routeMethod == method.Method && Matches(route, below))
            {
                return name;
            }
        }

        return Other;
    }

    private static bool Matches(string[] route, ReadOnlySpan<string> segments)
    {
        if (route.Length != segments.Length)
        {
            return false;
        }

        for (var i = 0; i < route.Length; i++)
        {
            if (route[i] != "{id}" && !string.Equals(route[i], segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
