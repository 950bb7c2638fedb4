namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>A harness with the pause machinery time-scaled: retries in milliseconds, a breaker (default thresholds) that breaks for a second, probes every second.</summary>
internal static class PauseHarness
{
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(1);

    public static Task<PipelineHarness> CreateAsync(PostgresServerFixture server, SandboxOptions? sandbox = null, IDictionary<string, string?>? settings = null) => PipelineHarness.CreateAsync(
        server,
        new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["LlamaCloud:FirstRetryDelay"] = "00:00:00.010",
            ["LlamaCloud:MaxRetryDelay"] = "00:00:00.040",
            ["LlamaCloud:UploadRateLimit:PermitLimit"] = "0",
            ["LlamaCloud:CircuitBreaker:SamplingDuration"] = "00:00:10",
            ["LlamaCloud:CircuitBreaker:BreakDuration"] = "00:00:01",
            ["LlamaCloud:Pauses:CreditProbeInterval"] = "00:00:01",
            ["LlamaCloud:Pauses:CacheFor"] = "00:00:00",
            ["FollowUp:RecheckDelay"] = "00:00:00.100",
        },
        sandbox);

    /// <summary>The pauses in the shared table, as (project, reason).</summary>
    public static Task<List<(string Project, string Reason)>> PausesAsync(this PipelineHarness harness) =>
        harness.Database.ListAsync("select project, reason from orchestrator.project_pause order by reason", r => (r.GetString(0), r.GetString(1)));

    /// <summary>Every /api request the Sandbox has seen, all routes together.</summary>
    public static async Task<long> RequestsAsync(this PipelineHarness harness) => (await harness.Admin.MapAsync("requests_by_route")).Values.Sum();

    public static InvariantOptions Invariants(this PipelineHarness harness) =>
        new(TestSupport.Invariants.ParseJobLookup(harness.Sandbox.BaseAddress, PipelineHarness.ApiKey), TimeSpan.FromSeconds(30))
        {
            EligibleFiles = InvariantOptions.FilesIn(harness.SourcePath),
        };
}
