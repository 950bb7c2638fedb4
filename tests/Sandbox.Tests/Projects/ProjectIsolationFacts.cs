namespace BatchOrchestrator.Sandbox.Tests.Projects;

/// <summary>
/// Resources live in the project they were created in (<c>project_id</c>, or the key's own project):
/// from any other project they are as unknown as an id never issued, and rate limits count per project.
/// </summary>
public sealed class ProjectIsolationFacts
{
    private const string A = "prj-aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
    private const string B = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";

    [Fact]
    public async Task ADirectoryAndItsFiles_AreSeenOnlyFromTheirProject()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var directory = await sandbox.OkAsync(HttpMethod.Post, In(A, "api/v1/beta/directories"), new { name = "shared-name" });
        var id = (string)directory["id"]!;
        var (uploaded, file) = await sandbox.UploadAsync(id, "a.txt", "hello"u8.ToArray()); // no project_id: the key's own project

        var (fromB, body) = await sandbox.GetAsync(In(B, $"api/v1/beta/directories/{id}"));
        var (fromDefault, _) = await sandbox.GetAsync($"api/v1/beta/directories/{id}");
        var listedInB = await sandbox.OkAsync(HttpMethod.Get, In(B, "api/v1/beta/directories"));
        var sameNameInB = await sandbox.OkAsync(HttpMethod.Post, In(B, "api/v1/beta/directories"), new { name = "shared-name" });
        var fromA = await sandbox.OkAsync(HttpMethod.Get, In(A, $"api/v1/beta/directories/{id}"));

        Assert.Equal(A, (string)directory["project_id"]!);
        Assert.Equal(HttpStatusCode.NotFound, uploaded);
        Assert.NotNull(file!["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, fromB);
        Assert.IsType<string>((string?)body!["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, fromDefault);
        Assert.Empty(listedInB["items"]!.AsArray());
        Assert.NotEqual(id, (string)sameNameInB["id"]!); // names are unique per project, not across them
        Assert.Equal(id, (string)fromA["id"]!);
    }

    [Fact]
    public async Task ABatch_IsSeenListedAndCancelledOnlyFromItsProject_AndCannotUseAnotherProjectsDirectory()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.StepDelay = TimeSpan.FromSeconds(30));
        var directory = (string)(await sandbox.OkAsync(HttpMethod.Post, In(A, "api/v1/beta/directories"), new { name = "d" }))["id"]!;
        var batch = await sandbox.OkAsync(HttpMethod.Post, In(A, "api/v2/batches"), Batch(directory));
        var batchId = (string)batch["id"]!;

        var (get, _) = await sandbox.GetAsync(In(B, $"api/v2/batches/{batchId}"));
        var (cancel, _) = await sandbox.PostAsync(In(B, $"api/v2/batches/{batchId}/cancel"));
        var listed = await sandbox.OkAsync(HttpMethod.Get, In(B, "api/v2/batches"));
        var (create, createBody) = await sandbox.PostAsync(In(B, "api/v2/batches"), Batch(directory));
        var listedInA = await sandbox.OkAsync(HttpMethod.Get, In(A, "api/v2/batches"));

        Assert.Equal(A, (string)batch["project_id"]!);
        Assert.Equal(HttpStatusCode.NotFound, get);
        Assert.Equal(HttpStatusCode.NotFound, cancel);
        Assert.Empty(listed["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, create);
        Assert.Contains(directory, (string)createBody!["detail"]!, StringComparison.Ordinal);
        Assert.Equal([batchId], listedInA["items"]!.AsArray().Select(b => (string)b!["id"]!));
    }

    [Theory]
    [InlineData("api/v1/beta/configurations", """{"name":"c","parameters":{"product_type":"parse_v2","tier":"fast","version":"latest"}}""", "api/v1/beta/configurations/{id}")]
    [InlineData("api/v1/beta/webhook-configs", """{"webhook_url":"https://example.com/hook"}""", "api/v1/beta/webhook-configs/{id}")]
    public async Task SavedConfigurations_AreSeenOnlyFromTheirProject(string create, string body, string get)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var id = (string)(await sandbox.OkAsync(HttpMethod.Post, In(A, create), body))["id"]!;

        var (fromB, _) = await sandbox.GetAsync(In(B, get.Replace("{id}", id, StringComparison.Ordinal)));
        var (deleteFromB, _) = await sandbox.SendAsync(HttpMethod.Delete, In(B, get.Replace("{id}", id, StringComparison.Ordinal)));
        var (fromA, _) = await sandbox.GetAsync(In(A, get.Replace("{id}", id, StringComparison.Ordinal)));

        Assert.Equal(
            new[] { HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.OK },
            new[] { fromB, deleteFromB, fromA });
    }

    [Fact]
    public async Task ABatchsJobs_LiveInItsProject()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var directory = (string)(await sandbox.OkAsync(HttpMethod.Post, In(B, "api/v1/beta/directories"), new { name = "d" }))["id"]!;
        var form = new MultipartFormDataContent { { new ByteArrayContent("text"u8.ToArray()), "upload_file", "a.txt" } };
        using (var response = await sandbox.Client.PostAsync(In(B, $"api/v1/beta/directories/{directory}/files/upload"), form, Ct))
        {
            response.EnsureSuccessStatusCode();
        }

        var batchId = (string)(await sandbox.OkAsync(HttpMethod.Post, In(B, "api/v2/batches"), Batch(directory)))["id"]!;
        var done = await sandbox.WaitForAsync(In(B, $"api/v2/batches/{batchId}?expand=results"), b => (string?)b["status"] == "COMPLETED");
        var jobId = (string)done["results"]![0]!["job_reference"]!["id"]!;

        var (fromA, _) = await sandbox.GetAsync(In(A, $"api/v2/parse/{jobId}"));
        var fromB = await sandbox.OkAsync(HttpMethod.Get, In(B, $"api/v2/parse/{jobId}"));

        Assert.Equal(HttpStatusCode.NotFound, fromA);
        Assert.Equal(B, (string)fromB["job"]!["project_id"]!);
    }

    [Fact]
    public async Task TheUploadLimit_CountsPerProject()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.RateLimits["uploads"] = new SandboxRateLimit { PermitLimit = 2, Window = TimeSpan.FromMinutes(1) });
        var statuses = new Dictionary<string, List<HttpStatusCode>>();
        foreach (var project in new[] { A, B })
        {
            var directory = (string)(await sandbox.OkAsync(HttpMethod.Post, In(project, "api/v1/beta/directories"), new { name = "d" }))["id"]!;
            statuses[project] = [];
            for (var i = 0; i < 3; i++)
            {
                var form = new MultipartFormDataContent { { new ByteArrayContent([1]), "upload_file", $"f{i}.txt" } };
                using var response = await sandbox.Client.PostAsync(In(project, $"api/v1/beta/directories/{directory}/files/upload"), form, Ct);
                statuses[project].Add(response.StatusCode);
            }
        }

        var counters = await sandbox.Admin.CountersJsonAsync();
        Assert.All(statuses.Values, s => Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], s));
        Assert.Equal(2, (int)counters["uploads_by_project"]![A]!);
        Assert.Equal(2, (int)counters["uploads_by_project"]![B]!);
        Assert.Equal(1, (int)counters["rate_limited_by_project"]![$"uploads/{B}"]!);
        Assert.Equal(2, (int)counters["rate_limit_peak_by_project"]![$"uploads/{A}"]!);
    }

    [Fact]
    public async Task AProjectTheKeyCannotReach_Is403_AndAMalformedId_Is422()
    {
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.AllowedProjectIds = [A];
            o.OrganizationId = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";
        });

        var (allowed, _) = await sandbox.GetAsync(In(A, "api/v1/beta/directories"));
        var (own, _) = await sandbox.GetAsync("api/v1/beta/directories");
        var (other, otherBody) = await sandbox.GetAsync(In(B, "api/v1/beta/directories"));
        var (organization, _) = await sandbox.GetAsync("api/v1/beta/directories?organization_id=dddddddd-dddd-4ddd-8ddd-dddddddddddd");
        var (malformed, malformedBody) = await sandbox.GetAsync("api/v1/beta/directories?project_id=not-a-project");

        Assert.Equal(
            new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Forbidden },
            new[] { allowed, own, other });
        Assert.Contains(B, (string)otherBody!["detail"]!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, organization);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, malformed);
        Assert.Equal(["query", "project_id"], malformedBody!["detail"]![0]!["loc"]!.AsArray().Select(p => (string)p!));
    }

    [Fact]
    public async Task TheCounters_SayWhichProjectEachRequestNamed_AndWhichClientSentIt()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        sandbox.Client.DefaultRequestHeaders.UserAgent.ParseAdd("SomeClient/1.0");

        await sandbox.GetAsync(In(A, "api/v1/beta/directories"));
        await sandbox.GetAsync(In(A, "api/v2/batches"));
        await sandbox.GetAsync("api/v2/batches");

        var counters = await sandbox.Admin.CountersJsonAsync();
        Assert.Equal(2, (int)counters["requests_by_project_param"]![A]!);
        Assert.Equal(1, (int)counters["requests_by_project_param"]!["none"]!);
        Assert.Equal(3, (int)counters["requests_by_user_agent"]!["SomeClient/1.0"]!);
    }

    private static string In(string project, string path) => $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}project_id={project}";

    private static JsonObject Batch(string directory) => new()
    {
        ["source_directory_id"] = directory,
        ["config"] = new JsonObject { ["job"] = new JsonObject { ["type"] = "parse_v2", ["configuration_id"] = "cfg-PARSE_AGENTIC" } },
    };
}
