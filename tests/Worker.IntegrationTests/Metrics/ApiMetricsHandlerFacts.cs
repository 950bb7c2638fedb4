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
        host.TriggerRun();

        var metrics = await Env.EventuallyAsync(
            () => http.GetStringAsync(new Uri("metrics", UriKind.Relative)),
            // One attempt adds to three counters in turn: a scrape between them would see the first alone.
            text => Line(text, "batchorchestrator_api_requests_total{", "operation=\"upload_file\"", "status=\"none\"") is not null
                && Line(text, "batchorchestrator_uploads_total{") is not null,
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
        using var counted = new Counted();
        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync();
        using var invoker = new HttpMessageInvoker(new BatchOrchestrator.Worker.Metrics.ApiMetricsHandler(counted.Ops, new StoppingLifetime(stopping.Token)) { InnerHandler = new NeverAnswers() });
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.example/api/v1/beta/directories/dir-1/files/upload");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => invoker.SendAsync(request, stopping.Token));

        Assert.Equal(["batchorchestrator.api.requests operation=upload_file status=none"], counted.Recorded);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnUploadAnswerWhoseBodyStallsOrIsCutOff_CountsAsATransientError_NotAsUploaded(bool cut)
    {
        // Core reads the body inside the attempt (WholeAnswerHandler) and fails an attempt whose body timed out or broke
        // off; the metrics count the same attempt the same way, not as the 200 its headers said.
        using var counted = new Counted();
        var halfSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var invoker = new HttpMessageInvoker(new BatchOrchestrator.Worker.Metrics.ApiMetricsHandler(counted.Ops, new StoppingLifetime(CancellationToken.None))
        {
            InnerHandler = new HalfABody(halfSent, cut),
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.example/api/v1/beta/directories/dir-1/files/upload");

        var sending = invoker.SendAsync(request, attempt.Token);
        await Task.WhenAny(halfSent.Task, sending).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await attempt.CancelAsync(); // the attempt timeout (LlamaCloud:AttemptTimeout) expires while the body stalls

        var error = await Record.ExceptionAsync(() => sending);

        Assert.True(error is HttpRequestException or OperationCanceledException, $"the attempt failed: {error}");
        Assert.Equal(
            ["batchorchestrator.api.requests operation=upload_file status=none", "batchorchestrator.api.errors class=transient operation=upload_file", "batchorchestrator.uploads outcome=transient"],
            counted.Recorded);
    }

    /// <summary>The API counters' measurements, as "instrument tag=value ...", from an <see cref="OpsMetrics"/> of its own.</summary>
    private sealed class Counted : IDisposable
    {
        private readonly ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        private readonly System.Diagnostics.Metrics.MeterListener listener = new();

        public Counted()
        {
            var meters = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
            Ops = new OpsMetrics(meters, new GaugeSnapshot(), new StaticOptionsMonitor<Core.Sources.SourcesOptions>(new()), TimeProvider.System);
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
                Recorded.Enqueue(instrument.Name + string.Concat(tags.ToArray().Select(t => $" {t.Key}={t.Value}"))));
            listener.Start();
        }

        public OpsMetrics Ops { get; }

        public ConcurrentQueue<string> Recorded { get; } = new();

        public void Dispose()
        {
            listener.Dispose();
            Ops.Dispose();
            services.Dispose();
        }
    }

    /// <summary>Answers 200 at once, then sends half its body and either breaks off or falls silent until cancelled.</summary>
    private sealed class HalfABody(TaskCompletionSource halfSent, bool cut) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new Body(halfSent, cut)) });

        private sealed class Body(TaskCompletionSource halfSent, bool cut) : Stream
        {
            private bool sent;

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            {
                if (!sent)
                {
                    sent = true;
                    buffer.Span[0] = (byte)'{';
                    return 1;
                }

                halfSent.TrySetResult();
                if (cut)
                {
                    throw new IOException("The response ended prematurely.");
                }

                await Task.Delay(Timeout.Infinite, cancellationToken);
                return 0;
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
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
