using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace BatchOrchestrator.Sandbox.Tests.Compatibility;

/// <summary>
/// The official TypeScript SDK (@llamaindex/llama-cloud 2.16.0, installed with npm ci into the
/// test output, where node_modules stays cached between runs) drives the Sandbox through
/// directory → upload → batch → poll → results → parse job (sdk/e2e.mjs).
/// </summary>
public sealed class SdkCompatibilityTests
{
    private static readonly string SdkFolder = Path.Combine(AppContext.BaseDirectory, "sdk");

    [Fact]
    public async Task OfficialTypeScriptSdk_RunsTheBatchFlowAgainstTheSandbox()
    {
        var node = FindOnPath("node");
        var npm = FindOnPath("npm");
        if (node is null || npm is null)
        {
            Assert.Skip("node and npm are not on PATH; the official TypeScript SDK test needs them (node 18+).");
        }

        if (!File.Exists(Path.Combine(SdkFolder, "node_modules", "@llamaindex", "llama-cloud", "package.json")))
        {
            var (installed, installLog) = await RunAsync(npm, ["ci", "--no-audit", "--no-fund"], new Dictionary<string, string>(), TimeSpan.FromSeconds(120));
            Assert.True(installed == 0, $"npm ci failed ({installed}):\n{installLog}");
        }

        await using var sandbox = await TestSandbox.StartAsync();
        var (exit, output) = await RunAsync(node, ["e2e.mjs"], new Dictionary<string, string>
        {
            ["LLAMA_CLOUD_BASE_URL"] = sandbox.Server.BaseAddress.AbsoluteUri.TrimEnd('/'),
            ["LLAMA_CLOUD_API_KEY"] = TestSandbox.ApiKey,
        }, TimeSpan.FromSeconds(60));

        Assert.True(exit == 0, $"node e2e.mjs failed ({exit}):\n{output}");
        var summary = JsonNode.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{')))!;
        Assert.StartsWith("dir-", (string)summary["directory"]!, StringComparison.Ordinal);
        Assert.Equal("hello", (string)summary["uploads"]![0]!["unique_id"]!);
        Assert.Equal("sdk-test", (string)summary["uploads"]![0]!["metadata"]!["source"]!);
        Assert.Equal(new[] { "hello", "notes.md" }, summary["listed_files"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("PENDING", (string)summary["batch"]!["created_status"]!);
        Assert.Equal("COMPLETED", (string)summary["batch"]!["final_status"]!);
        Assert.Equal(2, (int)summary["batch"]!["results"]!);
        Assert.Equal((string)summary["batch"]!["id"]!, (string)summary["listed_batches"]!.AsArray().Single()!);
        var parsed = summary["parsed"]!.AsArray();
        Assert.All(parsed, p => Assert.Equal("COMPLETED", (string)p!["status"]!));
        Assert.Equal("Hello from the SDK\nInvoice number: SDK-1", (string)parsed[0]!["text_full"]!);
        Assert.Equal(2, (int)parsed[1]!["markdown_pages"]!);
        Assert.Equal(404, (int)summary["not_found_status"]!);
        Assert.Equal(401, (int)summary["unauthorized_status"]!);
        Assert.Equal(409, (int)summary["conflict_status"]!);
    }

    private static string? FindOnPath(string name)
    {
        string[] names = OperatingSystem.IsWindows() ? [name + ".cmd", name + ".exe"] : [name];
        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(dir => names.Select(n => Path.Combine(dir, n)))
            .FirstOrDefault(File.Exists);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, Dictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = SdkFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(TestSandbox.Ct);
        timer.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} did not finish in {timeout}:\n{output}");
        }

        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}
