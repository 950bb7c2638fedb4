using BatchOrchestrator.Core.Planning;

namespace BatchOrchestrator.Core.IntegrationTests.Planning;

/// <summary>
/// A plan of a source whose new files are still settling (a nightly source planned in the afternoon): the run
/// after the next look takes them, so the plan says what they would cost, apart from the run's own figures.
/// </summary>
public sealed class PlanSettlingFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
        {
            ["Sources:0:SettleWindow"] = "01:00:00", // never seen before: settling until a second look an hour later
        });

    [Fact]
    public async Task FilesStillSettling_AreCostedApart_NotLeftAtZero()
    {
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta");
        Harness.WriteFile("c.txt", "gamma");

        var plan = await Harness.Get<PlanPreview>().PreviewAsync(Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0], Ct);

        // cfg-PARSE_AGENTIC: 10 credits a page, and each small text file is one page.
        Assert.Equal((3, 0, 0m, 30m), (plan.Settling, plan.NewOrChanged, plan.Credits, plan.SettlingCredits));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file"));
    }

    [Fact]
    public async Task FilesTheScanWouldSetAside_AreCountedApart_SoTheFilesSeenAddUp()
    {
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("empty.txt", "");
        Harness.WriteFile("blank.pdf", "");
        File.CreateSymbolicLink(Path.Combine(Harness.SourcePath, "gone.pdf"), "/nonexistent/target.pdf"); // Symlinks: Skip

        var plan = await Harness.Get<PlanPreview>().PreviewAsync(Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0], Ct);

        // One settling, and the two empty files nowhere: "plan" read 3 seen, 0 unchanged, 0 new, 1 settling. The link
        // skipped is passed over by the walk: not among the files seen, as the run does not count it either.
        Assert.Equal((3, 1, 2), (plan.Seen, plan.Settling, plan.SetAside));
        Assert.Equal(plan.Seen, plan.Unchanged + plan.NewOrChanged + plan.Settling + plan.SetAside);
    }
}
