using BatchOrchestrator.Sandbox;

namespace BatchOrchestrator.Sandbox.Tests;

/// <summary>A Sandbox on a free loopback port, an HttpClient that carries its key, and TestSupport's admin client.</summary>
public sealed class TestSandbox : IAsyncDisposable
{
    public const string ApiKey = "llx-test-key";

    private TestSandbox(SandboxServer server, SandboxOptions options)
    {
        Server = server;
        Options = options;
        Client = new HttpClient { BaseAddress = server.BaseAddress };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        Admin = new SandboxAdmin(server.BaseAddress);
    }

    public SandboxServer Server { get; }

    public SandboxOptions Options { get; }

    public HttpClient Client { get; }

    /// <summary>Counters, faults and steps (the /_sandbox endpoints), as every other test project reads them.</summary>
    public SandboxAdmin Admin { get; }

    /// <summary>The Sandbox steps every 20 ms here, so waits probe far more often than TestSupport's default.</summary>
    public static TimeSpan PollInterval { get; } = TimeSpan.FromMilliseconds(10);

    public static async Task<TestSandbox> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions { ApiKey = ApiKey, StepDelay = TimeSpan.FromMilliseconds(20) };
        configure?.Invoke(options);
        return new TestSandbox(await SandboxServer.StartAsync(options, Ct), options);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Admin.Dispose();
        await Server.DisposeAsync();
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, object? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json as string ?? JsonSerializer.Serialize(json), Encoding.UTF8, "application/json");
        }

        using var response = await Client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, object? json = null) => SendAsync(HttpMethod.Post, path, json ?? "{}");

    /// <summary>GET or POST that must succeed; returns the body.</summary>
    public async Task<JsonNode> OkAsync(HttpMethod method, string path, object? json = null)
    {
        var (status, body) = await SendAsync(method, path, json);
        Assert.True(status == HttpStatusCode.OK, $"{method} {path} answered {(int)status}: {body?.ToJsonString()}");
        return body!;
    }

    public async Task<string> CreateDirectoryAsync(string name, string type = "ephemeral")
        => (string)(await OkAsync(HttpMethod.Post, "api/v1/beta/directories", new { name, type }))["id"]!;

    public async Task<(HttpStatusCode Status, JsonNode? Body)> UploadAsync(string directoryId, string fileName, byte[] content, IReadOnlyDictionary<string, string>? fields = null)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(content), "upload_file", fileName);
        foreach (var (name, value) in fields ?? new Dictionary<string, string>())
        {
            form.Add(new StringContent(value), name);
        }

        using var response = await Client.PostAsync($"api/v1/beta/directories/{directoryId}/files/upload", form, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public async Task<string> UploadTextAsync(string directoryId, string fileName, string text, string? uniqueId = null)
    {
        var (status, body) = await UploadAsync(directoryId, fileName, Encoding.UTF8.GetBytes(text), uniqueId is null ? null : new Dictionary<string, string> { ["unique_id"] = uniqueId });
        Assert.True(status == HttpStatusCode.OK, $"upload answered {(int)status}: {body?.ToJsonString()}");
        return (string)body!["id"]!;
    }

    /// <summary>The arrangement most tests start from: a new directory holding one uploaded text file.</summary>
    public async Task<(string Directory, string File)> DirectoryWithTextFileAsync(string directoryName, string fileName, string text)
    {
        var directory = await CreateDirectoryAsync(directoryName);
        return (directory, await UploadTextAsync(directory, fileName, text));
    }

    /// <summary>Uploads <paramref name="count"/> small text files named 0.txt, 1.txt, ...; returns their ids in that order.</summary>
    public async Task<IReadOnlyList<string>> UploadTextFilesAsync(string directoryId, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await UploadTextAsync(directoryId, $"{i}.txt", $"file {i}"));
        }

        return ids;
    }

    public async Task<string> CreateBatchAsync(string directoryId, string type = "parse_v2", string configurationId = "cfg-PARSE_AGENTIC", object? extra = null)
    {
        var body = new JsonObject
        {
            ["source_directory_id"] = directoryId,
            ["config"] = new JsonObject { ["job"] = new JsonObject { ["type"] = type, ["configuration_id"] = configurationId } },
        };
        if (extra is not null)
        {
            foreach (var (key, value) in JsonSerializer.SerializeToNode(extra)!.AsObject())
            {
                body[key] = value?.DeepClone();
            }
        }

        return (string)(await OkAsync(HttpMethod.Post, "api/v2/batches", body.ToJsonString()))["id"]!;
    }

    public Task<JsonNode> WaitForBatchAsync(string batchId, params string[] statuses)
        => WaitForAsync($"api/v2/batches/{batchId}?expand=results", b => statuses.Contains((string?)b["status"]));

    /// <summary>Polls a GET until the body satisfies <paramref name="done"/>; fails after 10 s.</summary>
    public async Task<JsonNode> WaitForAsync(string path, Func<JsonNode, bool> done, TimeSpan? timeout = null)
    {
        var (_, body) = await Eventually.WaitAsync(
            () => GetAsync(path),
            answer => answer.Status == HttpStatusCode.OK && answer.Body is not null && done(answer.Body),
            timeout ?? TimeSpan.FromSeconds(10),
            $"GET {path} to reach the expected state",
            every: PollInterval);
        return body!;
    }

    /// <summary>Waits until one counter (e.g. <c>webhook_deliveries_total</c>) reads <paramref name="expected"/>.</summary>
    public Task WaitForCounterAsync(string name, long expected) =>
        Eventually.WaitAsync(() => Admin.CounterAsync(name), value => value == expected, TimeSpan.FromSeconds(10), $"{name} to reach {expected}", PollInterval);

    /// <summary>Waits until the counters (GET /_sandbox/counters, one snapshot) satisfy <paramref name="done"/>; returns that snapshot.</summary>
    public Task<JsonNode> WaitForCountersAsync(Func<JsonNode, bool> done) =>
        Eventually.WaitAsync(Admin.CountersJsonAsync, done, TimeSpan.FromSeconds(10), "the Sandbox's counters to reach the expected state", PollInterval);
}
