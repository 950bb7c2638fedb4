using BatchOrchestrator.Core.Webhooks;

namespace BatchOrchestrator.Worker.IntegrationTests.Scenarios;

/// <summary>
/// Webhooks end to end: the Sandbox delivers signed batch events over loopback to the real host's
/// receiver, which polls that batch at once. Polling on its own would not look for ten minutes.
/// </summary>
public sealed class WebhookFacts(PostgresServerFixture server)
    : EnvironmentFacts(server, new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(50), WebhookRetryDelay = TimeSpan.FromMilliseconds(200) })
{
    private const string Secret = "whsec-CANARY-5b7e2f0a9c41";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly int port = LoopbackPort.Unused();
    [Fact]
    public async Task ABatchCreatedWithAWebhook_IsPolledWhenItsEventArrives_AndStaleOutOfOrderEventsChangeNothing()
    {
        await Env.Admin.SetFaultsAsync(new { webhooks_out_of_order = true });
        var logs = new CapturingSink();
        await using var host = await WorkerHost.StartAsync(Env.Root, Settings(), logs);
        await Env.WriteFilesAsync(5);

        host.TriggerRun();
        await Env.EventuallyAsync(
            () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"), n => n == 5, Patience, "five files recorded");
        // Out of order: batch.success arrives first and triggers the poll; pending and running follow it.
        await Env.EventuallyAsync(
            () => Env.Admin.CounterAsync("webhook_deliveries_by_event", "batch.pending"), n => n >= 1, Patience, "the stale batch.pending to be delivered after the end");
        await Env.EventuallyAsync(
            () => host.Services.GetRequiredService<JobStorage>().GetMonitoringApi().ProcessingCount() == 0 ? Task.FromResult(true) : Task.FromResult(false),
            Patience, "jobs started by the stale events to finish");

        Assert.True(await Env.Admin.CounterAsync("webhook_deliveries_by_event", "batch.success") >= 1);
        Assert.Equal(("ResultsRecorded", "Completed"), (await Env.Database.ListAsync("select state, remote_status from orchestrator.batch", r => (r.GetString(0), r.GetString(1))))[0]);
        Assert.Equal(5L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
        Assert.Equal(0, await Env.Admin.CounterAsync("webhook_delivery_failures_total"));
        Assert.True(await Env.Database.ScalarAsync<bool>("select webhook_expected and webhook_terminal_at is not null and webhook_events >= 3 from orchestrator.batch"), "the deliveries are recorded on the batch");
        Assert.Contains(logs.Lines, l => l.Contains("batch.success", StringComparison.Ordinal) && l.Contains("polling it now", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(Secret, StringComparison.Ordinal) || l.Contains(TestEnvironment.ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhenWebhooksStopArriving_AnEndedBatchIsFlaggedOnce_CountedInMetrics_AndListedOnTheOverview()
    {
        await Env.Admin.SetFaultsAsync(new { webhook_drop_rate = 1 });
        var logs = new CapturingSink();
        var settings = Settings();
        settings["Polling:InitialDelay"] = "00:00:00.200"; // polling finds the end by itself
        settings["Polling:MaxDelay"] = "00:00:01";
        settings["Webhooks:MissedAfter"] = "00:00:01";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings, logs);
        await Env.WriteFilesAsync(2);

        host.TriggerRun();
        var batch = await Env.EventuallyAsync(
            () => Env.Database.ScalarAsync<long>("select coalesce(max(id), 0) from orchestrator.batch where webhook_missed_at is not null"), id => id > 0, Patience, "the batch to be flagged");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        await Env.EventuallyAsync(
            async () => (await http.GetStringAsync(new Uri("metrics", UriKind.Relative), Ct))
                .Split('\n').Any(l => l.StartsWith("batchorchestrator_webhooks_missed_total", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" 1", StringComparison.Ordinal)),
            Patience, "the missed webhook to be counted");
        var overview = await http.GetStringAsync(new Uri("hangfire/ops/overview", UriKind.Relative), Ct);

        Assert.Equal(2L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
        Assert.True(await Env.Database.ScalarAsync<bool>("select webhook_expected and webhook_events = 0 from orchestrator.batch where id = $1", batch));
        Assert.True(await Env.Admin.CounterAsync("faults_injected", "webhook_dropped") >= 1);
        var warning = Assert.Single(logs.Lines, l => l.Contains("no webhook announced it", StringComparison.Ordinal));
        Assert.Contains($"BatchId={batch} ", warning, StringComparison.Ordinal);
        Assert.Contains("RemoteBatchId=\"bat-", warning, StringComparison.Ordinal);
        Assert.Contains("1 batch of e2e ended without the webhook announcing it", overview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheReceiver_RefusesUnsignedOrBadlySignedCalls_AndTakesRepeatsOfASignedOne()
    {
        var logs = new CapturingSink();
        await using var host = await WorkerHost.StartAsync(Env.Root, Settings(), logs);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var body = """{"event_type":"batch.success","data":{"id":"bat-not-ours","status":"COMPLETED"}}""";
        var signature = WebhookSignature.Compute(Secret, Encoding.UTF8.GetBytes(body));

        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, body, signature: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, body, "sha256=" + new string('0', 64)));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, body.Replace("not-ours", "forged", StringComparison.Ordinal), signature));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, body, WebhookSignature.Compute("some-other-secret-value", Encoding.UTF8.GetBytes(body))));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(http, body, signature));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(http, body, signature));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(http, "[]", WebhookSignature.Compute(Secret, "[]"u8)));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.GetAsync(new Uri("webhooks/llamacloud", UriKind.Relative), Ct)).StatusCode);
        Assert.Equal(4, logs.Lines.Count(l => l.Contains("Refused a webhook delivery", StringComparison.Ordinal)));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(Secret, StringComparison.Ordinal));

        // An unsigned call is refused before its body is read: asked to wait for "100 Continue", the caller never sends it.
        // Read first, up to Webhooks:MaxBodyBytes, any caller of this public endpoint held that much memory per request.
        var body3MB = new WatchedStream(new byte[3 << 20]);
        using var unsigned = new HttpRequestMessage(HttpMethod.Post, "webhooks/llamacloud") { Content = new StreamContent(body3MB) };
        unsigned.Headers.ExpectContinue = true;
        unsigned.Content.Headers.ContentLength = 3 << 20;
        // The client sends the body anyway once its wait for "100 Continue" is over (1 s by default): long enough here.
        using var patient = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) }) { BaseAddress = http.BaseAddress };
        using (var refused = await patient.SendAsync(unsigned, Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        Assert.Equal(0, body3MB.BytesRead);
    }

    /// <summary>A body that counts what the client read of it to send.</summary>
    private sealed class WatchedStream(byte[] bytes) : MemoryStream(bytes)
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Counted(base.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await base.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Counted(int read)
        {
            BytesRead += read;
            return read;
        }
    }

    [Fact]
    public async Task AGatewayTokenInTheQuery_IsLeftOutOfTheRequestLines_WithAspNetCoreLoggingEverything()
    {
        const string token = "GWCANARY-9e4d2b7a1f";
        var logs = new CapturingSink();
        var settings = Settings();
        settings["Webhooks:PublicUrl"] = $"http://127.0.0.1:{port}/webhooks/llamacloud?code={token}";
        // An operator debugging the receiver raises ASP.NET Core's level, which ships at Warning.
        settings["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Verbose";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings, logs);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var body = """{"event_type":"batch.success","data":{"id":"bat-not-ours","status":"COMPLETED"}}""";

        // The gateway passes its token on, in the query of the path LlamaCloud posts to, and of any other caller's try.
        Assert.Equal(HttpStatusCode.OK, await PostAsync(http, body, WebhookSignature.Compute(Secret, Encoding.UTF8.GetBytes(body)), $"webhooks/llamacloud?code={token}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, body, signature: null, $"webhooks/llamacloud/?x=1&code={token}"));
        await Env.EventuallyAsync(
            () => Task.FromResult(logs.Lines.Count(l => l.Contains("Request finished", StringComparison.Ordinal) && l.Contains("/webhooks/llamacloud", StringComparison.Ordinal)) >= 2),
            Patience, "both requests' finished lines");

        Assert.Equal(2, logs.Lines.Count(l => l.Contains("Request starting", StringComparison.Ordinal) && l.Contains("/webhooks/llamacloud", StringComparison.Ordinal) && l.Contains("?(query left out)", StringComparison.Ordinal)));
        Assert.DoesNotContain(logs.AllFormats, l => l.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AGatewayTokenInAMalformedRequestLine_IsInNoLogLine_WithEveryCategoryLoggingEverything()
    {
        const string token = "GWCANARY-3c8a61f0d2";
        var logs = new CapturingSink();
        var settings = Settings();
        settings["Webhooks:PublicUrl"] = $"http://127.0.0.1:{port}/webhooks/llamacloud?code={token}";
        settings["Serilog:MinimumLevel:Default"] = "Verbose";
        settings["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Verbose";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings, logs);

        // Kestrel refuses these before any middleware or request line of ours: a target that is no path, a space in the
        // query, no version. At Debug it says why, quoting the line it refused when its Information is on.
        foreach (var requestLine in new[]
        {
            $"POST webhooks/llamacloud?code={token} HTTP/1.1",
            $"POST /webhooks/llamacloud?code={token} x HTTP/1.1",
            $"POST /webhooks/llamacloud?code={token}",
        })
        {
            Assert.StartsWith("HTTP/1.1 400", await SendRawAsync(requestLine), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(logs.AllFormats, l => l.Contains(token, StringComparison.Ordinal));
    }

    // A raw socket: HttpClient sends no request line this malformed. Kestrel answers 400 and closes the connection.
    private async Task<string> SendRawAsync(string requestLine)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, Ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes($"{requestLine}\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"), Ct);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return await reader.ReadToEndAsync(Ct);
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, string body, string? signature, string path = "webhooks/llamacloud")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(WebhookSignature.Header, signature);
        }

        using var response = await http.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = Env.Settings();
        settings["Urls"] = $"http://127.0.0.1:{port}";
        settings["Webhooks:PublicUrl"] = $"http://127.0.0.1:{port}/webhooks/llamacloud";
        settings["Webhooks:SigningSecret"] = Secret;
        // Polling alone would look only after ten minutes: anything sooner is the webhook's doing.
        settings["Polling:InitialDelay"] = "00:10:00";
        settings["Polling:MaxDelay"] = "00:10:00";
        settings["Serilog:MinimumLevel:Default"] = "Information";
        settings["Serilog:MinimumLevel:Override:Npgsql"] = "Warning";
        return settings;
    }
}
