namespace BatchOrchestrator.Sandbox.Tests.Fidelity;

/// <summary>The deletes remote hygiene sends: each counted once it took effect; a second delete is a 404; a running job is a 409.</summary>
public sealed class DeleteFacts : SandboxPerTest
{
    [Fact]
    public async Task EveryDelete_IsCountedOnce_AndASecondIs404()
    {
        var (dir, entry) = await Sandbox.DirectoryWithTextFileAsync("d", "a.txt", "hello");
        var stored = (string)(await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files/{entry}"))["file_id"]!;
        var batch = await Sandbox.WaitForBatchAsync(await Sandbox.CreateBatchAsync(dir), "COMPLETED");
        var job = (string)batch["results"]![0]!["job_reference"]!["id"]!;
        await Sandbox.WaitForAsync($"api/v2/parse/{job}", j => (string)j["job"]!["status"]! == "COMPLETED");
        string[] paths = [$"api/v2/parse/{job}", $"api/v1/beta/directories/{dir}/files/{entry}", $"api/v1/beta/files/{stored}", $"api/v1/beta/directories/{dir}"];

        var first = new List<HttpStatusCode>();
        var second = new List<HttpStatusCode>();
        foreach (var path in paths)
        {
            first.Add((await Sandbox.SendAsync(HttpMethod.Delete, path)).Status);
        }

        foreach (var path in paths)
        {
            second.Add((await Sandbox.SendAsync(HttpMethod.Delete, path)).Status);
        }

        var counters = await Sandbox.Admin.CountersJsonAsync();

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.NoContent], first);
        Assert.All(second, s => Assert.Equal(HttpStatusCode.NotFound, s));
        Assert.Equal(
            (1, 1, 1, 1),
            ((int)counters["parse_job_deletes_total"]!, (int)counters["directory_file_deletes_total"]!, (int)counters["file_deletes_total"]!, (int)counters["directory_deletes_total"]!));
    }

    [Fact]
    public async Task DeletingAJobStillRunning_Is409_ForParseAndExtract()
    {
        await RestartSandboxAsync(o =>
        {
            o.StepDelay = TimeSpan.FromHours(1);
            o.AllowUnsavedExtractConfigurations = true;
        });
        var (dir, entry) = await Sandbox.DirectoryWithTextFileAsync("d", "a.txt", "hello");
        var parse = (string)(await Sandbox.OkAsync(HttpMethod.Post, "api/v2/parse", new { file_id = entry, tier = "agentic", version = "latest" }))["id"]!;
        var extract = (string)(await Sandbox.OkAsync(HttpMethod.Post, "api/v2/extract", new { file_input = entry, configuration = new { data_schema = new { type = "object", properties = new { } } } }))["id"]!;

        var (parseStatus, _) = await Sandbox.SendAsync(HttpMethod.Delete, $"api/v2/parse/{parse}");
        var (extractStatus, _) = await Sandbox.SendAsync(HttpMethod.Delete, $"api/v2/extract/{extract}");

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), (parseStatus, extractStatus));
    }
}
