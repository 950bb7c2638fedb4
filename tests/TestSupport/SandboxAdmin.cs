using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BatchOrchestrator.TestSupport;

/// <summary>Reads the Sandbox's own record of what it was asked to do, and sets its faults, over HTTP.</summary>
public sealed class SandboxAdmin(Uri baseAddress) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = baseAddress };

    public async Task<SandboxCounters> CountersAsync()
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("_sandbox/counters", UriKind.Relative)));
        var root = document.RootElement;
        return new SandboxCounters(
            Total(root, "uploads_total"),
            Map(root, "uploads_by_unique_id"),
            Total(root, "batch_creates_total"),
            Map(root, "batch_creates_by_directory"),
            Total(root, "directory_creates_total"),
            Map(root, "responses_by_status"));
    }

    /// <summary>
    /// The whole GET /_sandbox/counters body as JSON: for a test that reads several counters from one snapshot
    /// (so they agree with each other) or checks the endpoint's shape itself.
    /// </summary>
    public async Task<JsonNode> CountersJsonAsync() =>
        JsonNode.Parse(await http.GetStringAsync(new Uri("_sandbox/counters", UriKind.Relative)))!;

    /// <summary>One numeric counter by its JSON name (e.g. <c>batch_gets_total</c>), 0 when absent.</summary>
    public async Task<long> CounterAsync(string name)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("_sandbox/counters", UriKind.Relative)));
        return Total(document.RootElement, name);
    }

    /// <summary>One entry of a counter map (e.g. <c>requests_by_route</c>, <c>webhook_deliveries_by_event</c>), 0 when absent.</summary>
    public async Task<long> CounterAsync(string map, string key)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("_sandbox/counters", UriKind.Relative)));
        return Map(document.RootElement, map).GetValueOrDefault(key);
    }

    /// <summary>A whole counter map (e.g. <c>requests_by_project_param</c>), empty when absent.</summary>
    public async Task<IReadOnlyDictionary<string, long>> MapAsync(string map)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("_sandbox/counters", UriKind.Relative)));
        return Map(document.RootElement, map);
    }

    /// <summary>The Sandbox's own record of credits billed (GET /_sandbox/credits, <c>credits_billed_total</c>).</summary>
    public async Task<decimal> CreditsBilledAsync()
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("_sandbox/credits", UriKind.Relative)));
        return document.RootElement.GetProperty("credits_billed_total").GetDecimal();
    }

    /// <summary>Changes the faults named in <paramref name="faults"/> (snake_case, as POST /_sandbox/faults takes them).</summary>
    public async Task SetFaultsAsync(object faults)
    {
        using var response = await http.PostAsJsonAsync(new Uri("_sandbox/faults", UriKind.Relative), faults);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Moves a Sandbox started with <c>ManualSteps</c> <paramref name="count"/> steps on.</summary>
    public async Task StepAsync(int count = 1)
    {
        using var response = await http.PostAsync(new Uri($"_sandbox/step?count={count}", UriKind.Relative), content: null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Makes the Sandbox forget a v2 batch or v1 batch-processing job, as LlamaCloud does one that expired or was deleted.</summary>
    public async Task ForgetBatchAsync(string remoteBatchId)
    {
        using var response = await http.DeleteAsync(new Uri($"_sandbox/batches/{Uri.EscapeDataString(remoteBatchId)}", UriKind.Relative));
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => http.Dispose();

    private static long Total(JsonElement root, string name) => root.TryGetProperty(name, out var value) ? value.GetInt64() : 0;

    private static Dictionary<string, long> Map(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal)
            : [];
}

/// <summary>A snapshot of the Sandbox's counters.</summary>
public sealed record SandboxCounters(
    long UploadsTotal,
    IReadOnlyDictionary<string, long> UploadsByUniqueId,
    long BatchCreatesTotal,
    IReadOnlyDictionary<string, long> BatchCreatesByDirectory,
    long DirectoryCreatesTotal,
    IReadOnlyDictionary<string, long> ResponsesByStatus);
