using System.Net.Http.Headers;

namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>What LlamaCloud (the Sandbox) stored as the name of each uploaded file, read back through its API as a client would.</summary>
internal static class RemoteNames
{
    /// <summary>Relative path → the stored file's name, for every file version that has a remote copy.</summary>
    public static async Task<Dictionary<string, string>> ReadAsync(PipelineHarness harness)
    {
        using var http = new HttpClient { BaseAddress = harness.Sandbox.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PipelineHarness.ApiKey);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var uploaded = await harness.Database.ListAsync(
            "select relative_path, remote_directory_id, remote_file_id from orchestrator.file_version where remote_file_id is not null",
            r => (Path: r.GetString(0), Directory: r.GetString(1), File: r.GetString(2)));
        foreach (var (path, directory, file) in uploaded)
        {
            using var entry = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/v1/beta/directories/{directory}/files/{file}", UriKind.Relative)));
            var fileId = entry.RootElement.GetProperty("file_id").GetString();
            using var stored = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/v1/beta/files/{fileId}", UriKind.Relative)));
            names[path] = stored.RootElement.GetProperty("name").GetString()!;
        }

        return names;
    }
}
