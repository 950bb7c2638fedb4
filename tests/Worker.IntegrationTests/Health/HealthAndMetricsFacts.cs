namespace BatchOrchestrator.Worker.IntegrationTests.Health;

/// <summary>/healthz, /readyz and /metrics of the real host.</summary>
public sealed class HealthAndMetricsFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task Healthz_Answers_AndReadyz_ChecksDatabaseSchemaAndApi()
    {
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        using var http = new HttpClient { BaseAddress = host.Address };

        using var live = await http.GetAsync(new Uri("healthz", UriKind.Relative), Ct);
        var (status, checks) = await ReadyAsync(http);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["llamacloud", "migrations", "postgresql"], checks.Keys.Order(StringComparer.Ordinal));
        Assert.All(checks.Values, c => Assert.Equal("Healthy", c.Status));
        Assert.Equal("LlamaCloud answers", checks["llamacloud"].Description);
    }

    [Fact]
    public async Task Readyz_WithoutAKey_SaysTheInProcessSandboxAnswers_NotLlamaCloud()
    {
        var noKey = Env.Settings();
        noKey["LLAMA_CLOUD_API_KEY"] = null;
        noKey["LLAMA_CLOUD_BASE_URL"] = null;
        await using var host = await WorkerHost.StartAsync(Env.Root, noKey);
        using var http = new HttpClient { BaseAddress = host.Address };

        var (status, checks) = await ReadyAsync(http);

        // On the README's first run nothing leaves the machine: "LlamaCloud answers" read as if documents went to it.
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("the in-process Sandbox answers (no LLAMA_CLOUD_API_KEY: nothing is sent to LlamaCloud)", checks["llamacloud"].Description);
    }

    [Fact]
    public async Task Readyz_IsUnavailable_WhileTheSchemaIsBehind_OrTheApiHasNeverAnswered_ButHealthzStillAnswers()
    {
        var settings = Env.Settings();
        settings["LLAMA_CLOUD_BASE_URL"] = $"http://127.0.0.1:{LoopbackPort.Unused()}/";
        settings["LlamaCloud:MaxRetries"] = "0";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings);
        using var http = new HttpClient { BaseAddress = host.Address };

        // Never answered since start: most likely this instance's base URL or network path (LlamaCloud down after it answered
        // once is only Degraded: ApiHealthCheckFacts).
        var (unreachable, never) = await ReadyAsync(http);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unreachable);
        Assert.Equal("Unhealthy", never["llamacloud"].Status);
        Assert.Contains("has not answered since this instance started: check LLAMA_CLOUD_BASE_URL", never["llamacloud"].Description, StringComparison.Ordinal);

        await Env.Database.ExecuteAsync("delete from orchestrator.schema_version where version = (select max(version) from orchestrator.schema_version)");
        var (status, checks) = await ReadyAsync(http);
        using var live = await http.GetAsync(new Uri("healthz", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", checks["migrations"].Status);
        Assert.Contains("run 'migrate'", checks["migrations"].Description, StringComparison.Ordinal);
        Assert.Equal("Healthy", checks["postgresql"].Status);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        // Ahead of this build, 'migrate' cannot help: it refuses a newer schema.
        await Env.Database.ExecuteAsync("insert into orchestrator.schema_version (version, name) values (9999, 'from a newer build')");
        var (_, ahead) = await ReadyAsync(http);
        Assert.Equal("Unhealthy", ahead["migrations"].Status);
        Assert.Contains("newer than this build's", ahead["migrations"].Description, StringComparison.Ordinal);
        Assert.DoesNotContain("run 'migrate'", ahead["migrations"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_SaysWhenTheApiRefusesTheKey()
    {
        var settings = Env.Settings();
        settings["LLAMA_CLOUD_API_KEY"] = "llx-wrong-key";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings);
        using var http = new HttpClient { BaseAddress = host.Address };

        var (status, checks) = await ReadyAsync(http);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("refuses the API key", checks["llamacloud"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_CountFilesBatchesUploadsPollLatencyAndApiErrorsByClass()
    {
        await Env.Admin.SetFaultsAsync(new { too_many_requests_burst = 2, retry_after_ms = 50, routes = new[] { "GET /api/v2/batches" } });
        await Env.WriteFilesAsync(6);
        await File.WriteAllBytesAsync(Path.Combine(Env.Inbox, "empty.txt"), [], Ct);
        var settings = Env.Settings();
        settings["Costs:Caps:0:Credits"] = "1000";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings);
        host.TriggerRun();
        await Env.WaitForEndedAsync(6);
        using var http = new HttpClient { BaseAddress = host.Address };
        // Now LlamaCloud fails outright: the readiness probe meets 503s (and retries them).
        await Env.Admin.SetFaultsAsync(new { too_many_requests_burst = 0, error_rate = 1.0, error_status_codes = new[] { 503 }, routes = new[] { "GET /api/v1/beta/directories" } });
        await ReadyAsync(http);
        // A pause another instance wrote (its probe not due for an hour): the gauges read the shared table.
        await Env.Database.ExecuteAsync(
            "insert into orchestrator.project_pause (project, reason, since, next_probe_at) values ('default', 'quota_exceeded', '2026-01-02 03:04:05+00', now() + interval '1 hour')");

        var metrics = await Env.EventuallyAsync(
            () => http.GetStringAsync(new Uri("metrics", UriKind.Relative)),
            text => Line(text, "batchorchestrator_files{", "state=\"Succeeded\"")?.EndsWith(" 6", StringComparison.Ordinal) == true
                && Line(text, "batchorchestrator_project_paused{", "reason=\"quota_exceeded\"")?.EndsWith(" 1", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30),
            "the file gauges to show 6 succeeded files and the pause");
        Assert.Contains("project=\"default\"", Line(metrics, "batchorchestrator_project_paused{", "reason=\"quota_exceeded\""), StringComparison.Ordinal);
        Assert.EndsWith(" 0", Line(metrics, "batchorchestrator_project_paused{", "reason=\"circuit_open\""), StringComparison.Ordinal);
        Assert.EndsWith(" 1767323045", Line(metrics, "batchorchestrator_project_paused_since_seconds{", "reason=\"quota_exceeded\""), StringComparison.Ordinal);

        Assert.EndsWith(" 1", Line(metrics, "batchorchestrator_batches{", "state=\"ResultsRecorded\""), StringComparison.Ordinal);
        Assert.EndsWith(" 6", Line(metrics, "batchorchestrator_uploads_total{", "outcome=\"uploaded\""), StringComparison.Ordinal);
        Assert.EndsWith(" 1", Line(metrics, "batchorchestrator_files_set_aside{", "kind=\"Empty\""), StringComparison.Ordinal);
        Assert.EndsWith(" 0", Line(metrics, "batchorchestrator_partial_results{", "source=\"e2e\""), StringComparison.Ordinal); // a series from the start, for an alert
        Assert.EndsWith(" 0", Line(metrics, "batchorchestrator_stuck{", "what=\"batch\""), StringComparison.Ordinal);
        Assert.EndsWith(" 0", Line(metrics, "batchorchestrator_source_patterns_took_none{", "source=\"e2e\""), StringComparison.Ordinal); // its patterns took its files
        foreach (var expected in new[] { "class=\"transient\"", "class=\"throttled\"", "batchorchestrator_poll_duration_seconds_count", "batchorchestrator_followup_lag_seconds", "batchorchestrator_poll_overdue_seconds" })
        {
            Assert.True(Line(metrics, expected) is not null, $"{expected} missing from:\n{metrics}");
        }

        Assert.DoesNotContain("bat-", metrics, StringComparison.Ordinal); // ids never become labels
        // One scheme for the operation label, each a request the client is known to make: no path, id or "other".
        var operations = Regex.Matches(metrics, "operation=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("upload_file", operations);
        Assert.Contains("get_batch", operations);
        Assert.All(operations, o => Assert.Contains(o, ApiOperations.All.Select(r => r.Name)));

        // The ops metrics the alert rules read (their names are fixed for deploy/ and other workstreams).
        var success = double.Parse(Line(metrics, "batchorchestrator_source_last_success_timestamp_seconds{", "source=\"e2e\"")!.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(success, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.EndsWith(" 31622400", Line(metrics, "batchorchestrator_source_schedule_interval_seconds{", "source=\"e2e\"")); // "0 0 1 1 *": once a year, the window's length
        Assert.EndsWith(" 1", Line(metrics, "batchorchestrator_database_up{"), StringComparison.Ordinal);
        Assert.EndsWith(" 0", Line(metrics, "batchorchestrator_webhooks_missed_total{"), StringComparison.Ordinal);
        Assert.EndsWith(" 6", Line(metrics, "batchorchestrator_files_ended_last_hour{", "outcome=\"Succeeded\"", "source=\"e2e\""), StringComparison.Ordinal);

        // Cost: six one-page text files at the default preset (agentic, 10 credits a page), estimated and billed;
        // the day cap's headroom once every charge is billed; nothing held.
        metrics = await Env.EventuallyAsync(
            () => http.GetStringAsync(new Uri("metrics", UriKind.Relative)),
            text => Line(text, "batchorchestrator_cap_headroom_credits{", "scope=\"global\"", "window=\"day\"")?.EndsWith(" 940", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30),
            "the day cap's headroom to show 1000 - 60 credits");
        Assert.EndsWith(" 60", Line(metrics, "batchorchestrator_credits_estimated_total{", "source=\"e2e\"", "tier=\"agentic\""), StringComparison.Ordinal);
        Assert.EndsWith(" 60", Line(metrics, "batchorchestrator_credits_billed_total{", "source=\"e2e\"", "tier=\"agentic\""), StringComparison.Ordinal);
        Assert.EndsWith(" 0", Line(metrics, "batchorchestrator_files_held{", "source=\"e2e\""), StringComparison.Ordinal);

        // Every metric the alert rules and the Grafana dashboard in deploy/ read is exported, or is one a later
        // workstream emits under the name fixed for it (ContractedMetrics).
        var exported = metrics.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToHashSet(StringComparer.Ordinal);
        Assert.All(Deployment.AlertingFacts.MetricsRead(), name =>
        {
            var family = System.Text.RegularExpressions.Regex.Replace(name, "_(bucket|sum|count)$", "");
            Assert.True(exported.Contains(name) || exported.Contains(family) || ContractedMetrics.Contains(name), $"{name} is read in deploy/ but not exported by /metrics");
        });
    }

    [Fact]
    public async Task ASourceThatNeverRan_ReportsWhenItWasFirstConfigured_SoItsOverdueAlertCanFire()
    {
        var started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings()); // "0 0 1 1 *": no run falls due
        using var http = new HttpClient { BaseAddress = host.Address };

        var metrics = await Env.EventuallyAsync(
            () => http.GetStringAsync(new Uri("metrics", UriKind.Relative)),
            text => Line(text, "batchorchestrator_source_last_success_timestamp_seconds{", "source=\"e2e\"") is not null,
            TimeSpan.FromSeconds(30),
            "a last success (or the time configured) for the source that never ran");

        var since = double.Parse(Line(metrics, "batchorchestrator_source_last_success_timestamp_seconds{", "source=\"e2e\"")!.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(since, started - 5, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal(0L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.run"));
    }

    [Fact]
    public async Task ASourceWhosePatternsTakeNoneOfItsFiles_IsReportedByItsGauge_AsStatusListsIt()
    {
        await Env.WriteFilesAsync(3); // doc-000.txt …: matched case-sensitively, '**/*.TXT' takes none of them
        var settings = Env.Settings();
        settings["Sources:0:Include:0"] = "**/*.TXT";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings);
        using var http = new HttpClient { BaseAddress = host.Address };
        host.TriggerRun();

        // The run itself reads as "no changes", as an up-to-date source's does: only the gauge says otherwise.
        await Env.EventuallyAsync(
            () => http.GetStringAsync(new Uri("metrics", UriKind.Relative)),
            text => Line(text, "batchorchestrator_source_patterns_took_none{", "source=\"e2e\"")?.EndsWith(" 3", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30),
            "the gauge to count the 3 files the patterns left out");
        Assert.Equal("NoChanges", await Env.Database.ScalarAsync<string>("select state from orchestrator.run"));
        settings["Verb:Name"] = "status";
        var (code, status) = await WorkerHost.RunVerbAsync(Env.Root, settings);
        Assert.Equal(0, code);
        Assert.Contains("took none of the 3 files in its folder", status, StringComparison.Ordinal);
    }

    /// <summary>Metric names that appear only once their first event happened.</summary>
    private static readonly HashSet<string> ContractedMetrics = new(StringComparer.Ordinal)
    {
        "batchorchestrator_cost_drift_total", // emitted from the first drift on
    };

    private static string? Line(string metrics, params string[] parts) =>
        metrics.Split('\n').FirstOrDefault(l => parts.All(p => l.Contains(p, StringComparison.Ordinal)))?.TrimEnd();

    private static async Task<(HttpStatusCode Status, Dictionary<string, (string Status, string Description)> Checks)> ReadyAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var checks = body.RootElement.GetProperty("checks").EnumerateObject().ToDictionary(
            c => c.Name, c => (c.Value.GetProperty("status").GetString()!, c.Value.GetProperty("description").GetString() ?? ""), StringComparer.Ordinal);
        return (response.StatusCode, checks);
    }
}
