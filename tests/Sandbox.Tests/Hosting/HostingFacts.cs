using System.Text.RegularExpressions;

namespace BatchOrchestrator.Sandbox.Tests.Hosting;

public sealed partial class HostingFacts
{
    [Fact]
    public async Task StartAsync_ListensOnLoopback_AndIgnoresTheHostsUrlsSetting()
    {
        var previous = Environment.GetEnvironmentVariable("ASPNETCORE_URLS");
        Environment.SetEnvironmentVariable("ASPNETCORE_URLS", "http://0.0.0.0:1");
        try
        {
            await using var first = await TestSandbox.StartAsync();
            await using var second = await TestSandbox.StartAsync();

            Assert.Equal("127.0.0.1", first.Server.BaseAddress.Host);
            Assert.NotEqual(first.Server.BaseAddress.Port, second.Server.BaseAddress.Port);
            Assert.EndsWith("/", first.Server.BaseAddress.AbsoluteUri, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("api/v2/batches")).Status);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ASPNETCORE_URLS", previous);
        }
    }

    [Fact]
    public async Task DisposeAsync_StopsListening()
    {
        var sandbox = await TestSandbox.StartAsync();
        var address = sandbox.Server.BaseAddress;
        await sandbox.DisposeAsync();
        using var client = new HttpClient { BaseAddress = address };

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("_sandbox/health", Ct));
    }

    [Fact]
    public async Task Standalone_RunsFromTheCommandLine_WithOptionsAndWithoutLoggingTheKey()
    {
        const string key = "llx-standalone-secret";
        var dll = Path.Combine(AppContext.BaseDirectory, "BatchOrchestrator.Sandbox.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { dll, "--urls", "http://127.0.0.1:0", $"--Sandbox:ApiKey={key}", "--Sandbox:StepDelay=00:00:00.02", "--Sandbox:Seed=99", "--Sandbox:Faults:FileFailureRate=0.25", "--Sandbox:RateLimits:uploads:PermitLimit=7" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data is not null && ListeningOn().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value + "/"));
            }
        };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var baseAddress = await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            using var client = new HttpClient { BaseAddress = baseAddress };
            using var anonymous = await client.GetAsync("api/v2/batches", Ct);
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
            using var authorized = await client.GetAsync("api/v2/batches", Ct);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, "api/v2/batches");
            wrong.Headers.Authorization = new("Bearer", key + "x");
            using var refused = await client.SendAsync(wrong, Ct);
            var faults = await client.GetStringAsync("_sandbox/faults", Ct);

            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("\"seed\":99", faults, StringComparison.Ordinal);
            Assert.Contains("\"file_failure_rate\":0.25", faults, StringComparison.Ordinal);
            Assert.Contains("\"uploads\":{\"permit_limit\":7,\"window_ms\":5000}", faults, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Ct);
        }

        lock (output)
        {
            Assert.Contains("bearer key required", output.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(key, output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DisposingTwice_IsHarmless()
    {
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions(), Ct);

        await sandbox.DisposeAsync();
        await sandbox.DisposeAsync();

        Assert.Equal("127.0.0.1", sandbox.BaseAddress.Host);
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
