namespace BatchOrchestrator.Worker.IntegrationTests.Security;

/// <summary>
/// docs/reliability.md §4.3 S2: a full run with a recognisable API key and database password, logging at
/// the most verbose level, with API errors injected, leaves neither canary in any log line, exception,
/// Hangfire job argument or state, table of ours, dashboard page, health answer or metric.
/// The Worker runs as its own process, so every line its real console sink writes (compact JSON, every
/// property and exception kept) is read, Hangfire's own lines included: in this test process Hangfire's
/// static loggers stay bound to the first host built, so an in-process capture would miss them. The
/// human-readable format renders a subset of those properties; EndToEndFacts checks it in-process too.
/// </summary>
public sealed class SecretCanaryFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private const string ApiKeyCanary = "llx-CANARY-api-3e9d5a7c1b";
    private const string PasswordCanary = "pg-CANARY-pw-8c4f2e6a0d";
    private const int Files = 8;
    private TestDatabase database = null!;
    private SandboxServer sandbox = null!;
    private SandboxAdmin admin = null!;
    private string root = null!;
    private string role = null!;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(server, "canary");
        role = $"canary_{Guid.NewGuid():N}"[..20];
        // The canary password belongs to a role of its own, which the Worker then connects as.
        await database.ExecuteAsync($"create role {role} login superuser password '{PasswordCanary}'");
        sandbox = await SandboxServer.StartAsync(new SandboxOptions { ApiKey = ApiKeyCanary, StepDelay = TimeSpan.FromMilliseconds(50) });
        admin = new SandboxAdmin(sandbox.BaseAddress);
        root = Directory.CreateTempSubdirectory("bo-canary-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "inbox"));
    }

    public async ValueTask DisposeAsync()
    {
        admin.Dispose();
        await sandbox.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await database.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task AFullRunWithInjectedErrors_LeavesNeitherCanaryAnywhere()
    {
        for (var i = 0; i < Files; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(root, "inbox", $"doc-{i}.txt"), $"document {i}", Ct);
        }

        // First LlamaCloud refuses every directory lookup (503): the upload jobs exhaust their retries and fail
        // with an exception, which Hangfire logs and stores. Then errors the client retries (5xx, dropped
        // connections and 429s on reads) and one batch failing whole, whose files go round again.
        await admin.SetFaultsAsync(new { error_rate = 1.0, routes = new[] { "GET /api/v1/beta/directories" } });
        var port = LoopbackPort.Unused();
        var settings = new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role, Password = PasswordCanary }.ConnectionString,
            ["LLAMA_CLOUD_API_KEY"] = ApiKeyCanary,
            ["LLAMA_CLOUD_BASE_URL"] = sandbox.BaseAddress.ToString(),
            ["LlamaCloud:MaxRetryDelay"] = "00:00:01", // five retries without hints, as the SDK makes them, but not 8 s apart
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Sources:0:Name"] = "canary",
            ["Sources:0:Path"] = Path.Combine(root, "inbox"),
            ["Sources:0:Schedule"] = "*/2 * * * * *",
            ["Sources:0:SettleWindow"] = "00:00:00",
            ["Sources:0:Watch"] = "false",
            ["Pipeline:MaxFilesPerBatch"] = "4",
            ["Polling:Interval"] = "00:00:01",
            ["Polling:InitialDelay"] = "00:00:00.100",
            ["Hangfire:Server:SchedulePollingInterval"] = "00:00:01",
            ["Hangfire:Storage:QueuePollInterval"] = "00:00:00.200",
            ["Logs:Format"] = "Json",
            ["Serilog:MinimumLevel:Default"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.Extensions.Http"] = "Verbose",
            ["Serilog:MinimumLevel:Override:System.Net.Http.HttpClient"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Npgsql"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Hangfire"] = "Verbose",
            // Failures must reach Hangfire as exceptions here; the breaker would turn many into pauses.
            ["LlamaCloud:CircuitBreaker:Enabled"] = "false",
        };

        var seen = new List<string>();
        var logs = new List<string>();
        await using (var worker = WorkerProcess.Start(root, ["run"], settings))
        {
            await Eventually.WaitAsync(
                async () =>
                {
                    Assert.False(worker.HasExited, string.Join('\n', worker.Errors.Concat(worker.Output.TakeLast(20))));
                    return await database.ScalarAsync<long>("select count(*) from hangfire.state where data::text like '%ExceptionMessage%'") > 0;
                },
                TimeSpan.FromSeconds(90),
                "an upload job to fail with an exception");
            await admin.SetFaultsAsync(new { error_rate = 0.15, drop_connection_rate = 0.05, too_many_requests_rate = 0.1, retry_after_ms = 20, fail_next_batches = 1, routes = new[] { "GET /api" } });
            // Hangfire would retry the failed uploads in 15-45 s; requeue them now, as the dashboard's button does.
            var storage = JobStorageFactory.Create(database.ConnectionString, new JobStorageOptions());
            var jobs = new BackgroundJobClient(storage);
            foreach (var id in await database.ListAsync("select id::text from hangfire.job where statename = 'Scheduled'", r => r.GetString(0)))
            {
                jobs.Requeue(id);
            }

            await Eventually.WaitAsync(
                () => database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"),
                n => n >= Files,
                TimeSpan.FromSeconds(150),
                "every file to get a job reference despite the faults");
            Assert.True(await database.ScalarAsync<long>("select count(*) from pg_stat_activity where usename = $1", role) > 0, "the Worker connects as the canary role");

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var jobIds = await database.ListAsync("select id::text from hangfire.job", r => r.GetString(0));
            var fileIds = await database.ListAsync("select id::text from orchestrator.file_version", r => r.GetString(0));
            string[] pages =
            [
                "hangfire", "hangfire/jobs/succeeded", "hangfire/jobs/failed", "hangfire/jobs/scheduled", "hangfire/recurring", "hangfire/servers", "hangfire/retries",
                "hangfire/ops/sources", "hangfire/ops/runs", "hangfire/ops/batches", "hangfire/ops/files", "healthz", "readyz", "metrics",
                .. jobIds.Select(id => $"hangfire/jobs/details/{id}"),
                .. fileIds.Take(3).Select(id => $"hangfire/ops/files/{id}"),
            ];
            foreach (var page in pages)
            {
                using var response = await http.GetAsync(new Uri(page, UriKind.Relative), Ct);
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{page}: {response.StatusCode}");
                seen.Add($"{page}: {await response.Content.ReadAsStringAsync(Ct)}");
            }

            await worker.StopAsync();
            logs.AddRange(worker.Output);
            logs.AddRange(worker.Errors);
        }

        // The run really met errors, exceptions were logged (Hangfire's own lines included), at Verbose.
        var counters = await admin.CountersAsync();
        Assert.Contains(counters.ResponsesByStatus.Keys, status => status.StartsWith('5'));
        Assert.Contains(logs, line => line.Contains("\"@x\":", StringComparison.Ordinal) && line.Contains("\"SourceContext\":\"Hangfire", StringComparison.Ordinal));
        Assert.Contains(logs, line => line.Contains("\"@l\":\"Verbose\"", StringComparison.Ordinal));
        Assert.True(await database.ScalarAsync<long>("select count(*) from orchestrator.batch where state = 'ResultsRecorded'") >= 3, "a batch failed whole and its files went round again");

        var stored = new List<string>();
        foreach (var schema in new[] { "orchestrator", "hangfire" })
        {
            foreach (var table in await database.ListAsync("select table_name from information_schema.tables where table_schema = $1", r => r.GetString(0), schema))
            {
                stored.AddRange(await database.ListAsync($"select row_to_json(t)::text from {schema}.\"{table}\" t", r => $"{schema}.{table}: {r.GetString(0)}"));
            }
        }

        Assert.Contains(stored, row => row.StartsWith("hangfire.job:", StringComparison.Ordinal)); // job arguments were read
        Assert.Contains(stored, row => row.StartsWith("hangfire.state:", StringComparison.Ordinal) && row.Contains("ExceptionMessage", StringComparison.Ordinal));
        foreach (var canary in new[] { ApiKeyCanary, PasswordCanary, "CANARY" })
        {
            Assert.DoesNotContain(logs, line => line.Contains(canary, StringComparison.Ordinal));
            Assert.DoesNotContain(stored, row => row.Contains(canary, StringComparison.Ordinal));
            Assert.DoesNotContain(seen, page => page.Contains(canary, StringComparison.Ordinal));
        }
    }
}
