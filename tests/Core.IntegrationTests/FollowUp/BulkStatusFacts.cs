namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// The follow-up reads its jobs' statuses in bulk (<c>GET /api/v2/parse?job_ids=…&amp;job_ids=…</c>) and
/// fetches results only for the finished ones: a look at jobs still running costs one request per page.
/// </summary>
public sealed class BulkStatusFacts(PostgresServerFixture server)
{
    private const string List = "GET /api/v2/parse";
    private const string One = "GET /api/v2/parse/{job_id}";

    [Fact]
    public async Task FollowUpAsync_ReadsRunningJobsInOneListPerPage_AndFetchesOnlyFinishedOnes()
    {
        var uris = new List<Uri>();
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["FollowUp:StatusPageSize"] = "10" },
            new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20), JobRunningSteps = 1_000_000 },
            services => services.AddHttpClient(LlamaCloudApis.HttpClientName).AddHttpMessageHandler(() => new Recording(uris)));
        harness.WriteFiles(25);
        var batches = await harness.RunToRecordedAsync(Ct);
        var batchId = batches.Single();

        await harness.Get<FollowUpProcessor>().FollowUpAsync(batchId, Ct); // every job still running
        var listsWhileRunning = await harness.Admin.CounterAsync("requests_by_route", List);
        var getsWhileRunning = await harness.Admin.CounterAsync("requests_by_route", One);

        Assert.Equal(3, listsWhileRunning); // 25 jobs, 10 per page
        Assert.Equal(0, getsWhileRunning);
        Assert.Equal(25L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'Recorded' and remote_job_status in ('PENDING', 'RUNNING')"));
        var list = uris.First(u => u.AbsolutePath == "/api/v2/parse");
        Assert.Equal(10, list.Query.TrimStart('?').Split('&').Count(p => p.StartsWith("job_ids=", StringComparison.Ordinal))); // repeated keys, as the SDK encodes arrays
        Assert.Contains("page_size=10", list.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FollowUpAsync_FetchesEachFinishedJobOnce_AfterOneListForAll()
    {
        await using var harness = await PipelineHarness.CreateAsync(server);
        harness.WriteFiles(12);
        var batches = await harness.RunToRecordedAsync(Ct);
        var api = harness.Get<IBatchApis>().For(ProjectScope.Default);
        var jobs = await harness.Database.ListAsync("select job_id from orchestrator.file_version", r => r.GetString(0));
        await Eventually.WaitAsync(
            async () => (await api.ListParseJobsAsync(jobs, null, Ct)).Items.Count(j => j.Status == "COMPLETED"),
            n => n == jobs.Count,
            TimeSpan.FromSeconds(20),
            "every job to finish");
        var listsBefore = await harness.Admin.CounterAsync("requests_by_route", List);

        await harness.Get<FollowUpProcessor>().FollowUpAsync(batches.Single(), Ct);

        Assert.Equal(1, await harness.Admin.CounterAsync("requests_by_route", List) - listsBefore);
        Assert.Equal(12, await harness.Admin.CounterAsync("requests_by_route", One));
        Assert.Equal(12L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp'"));
    }

    /// <summary>Keeps every request's URI: what the client sent, not what the Sandbox understood.</summary>
    private sealed class Recording(List<Uri> uris) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (uris)
            {
                uris.Add(request.RequestUri!);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
