namespace BatchOrchestrator.Worker.IntegrationTests.Metrics;

/// <summary>The API counters of /metrics on attempts that got no answer, through the real client and its pipeline.</summary>
public sealed class ApiMetricsHandlerFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task AnUploadAttemptThatTimesOut_CountsAsATransientError_NotAsUploaded()
    {
        // LlamaCloud answers uploads only after 5 s; each attempt is given 1 s (LlamaCloud:AttemptTimeout), which cancels it.
        await Env.Admin.SetFaultsAsync(new { latency_ms = 5_000, routes = new[] { "POST /api/v1/beta/directories/{directory_id}/files" } });
        await Env.WriteFilesAsync(1);
        var settings = Env.Settings();
        settings["LlamaCloud:AttemptTimeout"] = "00:00:01";
        settings["LlamaCloud:MaxInProcessRetryWait"] = "00:00:00";
        settings["LlamaCloud:MaxRetries"] = "0";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings);
        using var http = new HttpClient { BaseAddress = host.Address };
        host.Services.GetRequiredService<IRecurringJobManager>().Trigger("run-source-e2e");

        var metrics = await Eventually.WaitAsync(
            () => http.GetStringAsync(new Uri("metrics", UriKind.Relative)),
            text => Line(text, "batchorchestrator_api_requests_total{", "operation=\"upload_file\"", "status=\"none\"") is not null,
            TimeSpan.FromSeconds(30),
            "an upload attempt that got no answer");

        // As Core reads it (a transient failure, "no answer within 00:00:01"): an error an outage alert or graph can see,
        // and no upload that did not happen.
        Assert.NotNull(Line(metrics, "batchorchestrator_api_errors_total{", "class=\"transient\"", "operation=\"upload_file\""));
        Assert.NotNull(Line(metrics, "batchorchestrator_uploads_total{", "outcome=\"transient\""));
        Assert.Null(Line(metrics, "batchorchestrator_uploads_total{", "outcome=\"uploaded\""));
        // The counter counts attempts (a file uploaded after a 503 counts once under each outcome): its help, and the
        // Grafana panel that graphs it, say so rather than "file uploads", which would read as files.
        Assert.StartsWith("# HELP batchorchestrator_uploads_total Upload attempts", Line(metrics, "# HELP batchorchestrator_uploads_total"), StringComparison.Ordinal);
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Repository.PathOf(Deployment.AlertingFacts.Dashboard), Ct));
        var panel = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Single(p => p.TryGetProperty("targets", out var t) && t.EnumerateArray().Any(q => q.GetProperty("expr").GetString()!.Contains("batchorchestrator_uploads_total", StringComparison.Ordinal)));
        Assert.StartsWith("Upload attempts per second", panel.GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAttemptTheStoppingServiceGaveUp_IsNoErrorAndNoUpload()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var ops = new BatchOrchestrator.Worker.Metrics.OpsMetrics(
            meters, new BatchOrchestrator.Worker.Metrics.GaugeSnapshot(), new StaticOptionsMonitor<Core.Sources.SourcesOptions>(new()), TimeProvider.System);
        var recorded = new List<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
            recorded.Add(instrument.Name + string.Concat(tags.ToArray().Select(t => $" {t.Key}={t.Value}"))));
        listener.Start();
        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync();
        using var invoker = new HttpMessageInvoker(new BatchOrchestrator.Worker.Metrics.ApiMetricsHandler(ops, new StoppingLifetime(stopping.Token)) { InnerHandler = new NeverAnswers() });
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.example/api/v1/beta/directories/dir-1/files/upload");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => invoker.SendAsync(request, stopping.Token));

        Assert.Equal(["batchorchestrator.api.requests operation=upload_file status=none"], recorded);
    }

    private sealed class NeverAnswers : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    private sealed class StoppingLifetime(CancellationToken stopping) : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => stopping;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }

    private sealed class StaticOptionsMonitor<T>(T value) : Microsoft.Extensions.Options.IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }

    private static string? Line(string metrics, params string[] parts) =>
        metrics.Split('\n').FirstOrDefault(l => parts.All(p => l.Contains(p, StringComparison.Ordinal)))?.TrimEnd();
}
