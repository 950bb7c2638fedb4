namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// The randomised model test (docs/resilience.md): many seeds of <see cref="ModelRun"/>, each ending with the
/// shared invariant checker. Plain seeded <see cref="Random"/> rather than a property-testing library: the
/// system under test is a real database and a Sandbox over HTTP, so a library's shrinking could not replay a
/// smaller case faithfully, and a seed is all a replay needs. A failing seed is printed;
/// <c>BO_MODEL_SEED=n</c> replays that one seed, <c>BO_MODEL_SEEDS=n</c> runs n seeds (CI runs a few).
/// </summary>
public sealed class ModelFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private const int Actions = 30;
    private static readonly TimeSpan LeaseTimeToLive = TimeSpan.FromSeconds(1);

    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server,
        new Dictionary<string, string?>
        {
            ["Leases:TimeToLive"] = "00:00:01", // a crashed step's lease lapses quickly
            ["Polling:StalledAfter"] = "00:00:01",
            ["Polling:ClaimTimeout"] = "00:00:01",
            ["Pipeline:MaxFilesPerBatch"] = "3",
            ["LlamaCloud:FirstRetryDelay"] = "00:00:00.010",
            ["LlamaCloud:MaxRetryDelay"] = "00:00:00.050",
        },
        new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(10) });

    [Fact]
    public async Task SeededInterleavingsOfStepsCrashesRestartsAndDatabaseBlips_AcrossTwoInstances_KeepTheInvariants()
    {
        var seeds = Environment.GetEnvironmentVariable("BO_MODEL_SEED") is { Length: > 0 } one
            ? [int.Parse(one, CultureInfo.InvariantCulture)]
            : Enumerable.Range(1, int.Parse(Environment.GetEnvironmentVariable("BO_MODEL_SEEDS") ?? "8", CultureInfo.InvariantCulture)).ToArray();
        var cuts = 0;
        foreach (var seed in seeds)
        {
            var run = new ModelRun(Harness, seed);
            try
            {
                await run.RunAsync(Actions, Ct);
                cuts += run.Cuts;
                await Invariants.AssertHoldAsync(Harness.Database, Harness.Admin, new InvariantOptions(
                    Invariants.ParseJobLookup(Harness.Sandbox.BaseAddress, PipelineHarness.ApiKey), LeaseTimeToLive)
                {
                    EligibleFiles = InvariantOptions.FilesIn(Harness.SourcePath),
                    CrashesThatMayHitAnUpload = cuts,
                });
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new InvalidOperationException(
                    $"Model seed {seed} failed; replay it alone with BO_MODEL_SEED={seed} dotnet test --project tests/Core.IntegrationTests -- --filter-class '*ModelFacts'", ex);
            }
        }

        // Not vacuous: the seeds cut steps short, and files went all the way to their job references.
        var succeeded = await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null");
        TestContext.Current.TestOutputHelper?.WriteLine($"{seeds.Length} seeds, {cuts} crashes and blips, {succeeded} files with job references");
        Assert.True(cuts > 0 && succeeded > 0, $"{cuts} cuts, {succeeded} files succeeded");
    }
}
