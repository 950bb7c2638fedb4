using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOrchestrator.Sandbox;

namespace BatchOrchestrator.Sandbox.Tests;

/// <summary>A Sandbox on a free loopback port and an HttpClient that carries its key.</summary>
public sealed class TestSandbox : IAsyncDisposable
{
    public const string ApiKey = "llx-test-key";

    private TestSandbox(SandboxServer server, SandboxOptions options)
    {
        Server = server;
        Options = options;
        Client = new HttpClient { BaseAddress = server.BaseAddress };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
    }

    public SandboxServer Server { get; }

    public SandboxOptions Options { get; }

    public HttpClient Client { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<TestSandbox> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions { ApiKey = ApiKey, StepDelay = TimeSpan.FromMilliseconds(20) };
        configure?.Invoke(options);
        return new TestSandbox(await SandboxServer.StartAsync(options, Ct), options);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
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
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        JsonNode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var (status, body) = await GetAsync(path);
            if (status == HttpStatusCode.OK && body is not null)
            {
                last = body;
                if (done(body))
                {
                    return body;
                }
            }

            await Task.Delay(10, Ct);
        }

        throw new TimeoutException($"GET {path} never reached the expected state; last: {last?.ToJsonString()}");
    }

    /// <summary>GET /_sandbox/counters.</summary>
    public async Task<JsonNode> CountersAsync() => await OkAsync(HttpMethod.Get, "_sandbox/counters");

    public async Task SetFaultsAsync(object faults) => await OkAsync(HttpMethod.Post, "_sandbox/faults", faults);
}
