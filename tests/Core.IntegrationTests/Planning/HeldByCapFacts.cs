namespace BatchOrchestrator.Core.IntegrationTests.Planning;

/// <summary>
/// What the warning about files held by a spending cap tells the operator to approve: a file held again stays
/// under the run that first held it (docs/costs.md, "Held files go on"), so the line names every holding run.
/// </summary>
public sealed class HeldByCapFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, CapSettings.TwoFilesADay());

    [Fact]
    public async Task ARunHoldingFilesAnEarlierRunHeld_NamesEachHoldingRunAndItsCount_InItsWarning()
    {
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta");
        Harness.WriteFile("c.txt", "gamma");
        var first = await RunAsync();
        Harness.WriteFile("d.txt", "delta");
        var second = await RunAsync();

        // c.txt is held again, still under the first run; d.txt is held by the second.
        var warning = Assert.Single(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains($"Run {second} of docs:", StringComparison.Ordinal));
        Assert.Contains(
            $"Run {second} of docs: 2 files held by cap docs/Day (25 credits, 5 left; next file ~10 credits); 0 planned. They go on when the window turns over, or with 'approve {second}' (1 file), 'approve {first}' (1 file)",
            warning,
            StringComparison.Ordinal);
        Assert.Equal(1, await Harness.Get<OperatorCommands>().ApproveHeldAsync(first, Ct));
        Assert.Equal(1, await Harness.Get<OperatorCommands>().ApproveHeldAsync(second, Ct));
        Assert.Contains(Harness.Logs.Lines, l => l.Contains($"1 file of docs held by a cap in run {first} approved by an operator; a run is queued to take it", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARunHoldingOnlyFilesAnEarlierRunHeld_SaysSoAtInformation_NotAsAnotherWarning()
    {
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta");
        Harness.WriteFile("c.txt", "gamma");
        var first = await RunAsync();
        var second = await RunAsync(); // nothing new: c.txt is held again, still under the first run

        Assert.Single(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains($"Run {first} of docs: 1 file held by cap", StringComparison.Ordinal));
        Assert.DoesNotContain(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains($"Run {second} of docs:", StringComparison.Ordinal));
        Assert.Single(Harness.Logs.Lines, l => l.StartsWith("Information", StringComparison.Ordinal) && l.Contains($"Run {second} of docs: 1 file held by cap docs/Day", StringComparison.Ordinal));
    }

    private async Task<long> RunAsync()
    {
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        return await Harness.Database.ScalarAsync<long>("select max(id) from orchestrator.run");
    }
}

/// <summary>
/// A Run cap's window turns over at the source's next run, which may come at once: what it holds is not stopped
/// until approved, and the warning and the held reason must not read as if it were.
/// </summary>
public sealed class HeldByRunCapFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
        {
            ["Costs:Caps:0:Source"] = PipelineHarness.SourceName,
            ["Costs:Caps:0:Window"] = "Run",
            ["Costs:Caps:0:Credits"] = "25", // two one-page files at 10 credits each
        });

    [Fact]
    public async Task FilesHeldByARunCap_AreSaidToGoOnWithTheNextRun_WhichTakesThem()
    {
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta");
        Harness.WriteFile("c.txt", "gamma");
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);

        var warning = Assert.Single(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("held by cap docs/Run", StringComparison.Ordinal));
        Assert.Contains("1 file held by cap docs/Run", warning, StringComparison.Ordinal);
        Assert.Contains("It goes on with the source's next run (a Run cap bounds each run, not their total: a Day or Month cap does), or with 'approve ", warning, StringComparison.Ordinal);
        Assert.EndsWith(
            "goes on with the source's next run (a Run cap bounds each run, not their total: a Day or Month cap does) or when an operator approves",
            await Harness.Database.ScalarAsync<string>("select held_reason from orchestrator.file_version where held_cap is not null"),
            StringComparison.Ordinal);

        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where held_cap is not null"));
    }
}

/// <summary>A file that needs more than the whole cap fits no window of it: only an approval sends it, and everything says so.</summary>
public sealed class HeldOverTheWholeCapFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
        {
            ["Costs:Caps:0:Source"] = PipelineHarness.SourceName,
            ["Costs:Caps:0:Window"] = "Run",
            ["Costs:Caps:0:Credits"] = "5", // a one-page file is 10 credits
        });

    [Fact]
    public async Task AFileOverTheWholeRunCap_IsSaidToGoOnOnlyWithAnApproval_AndTheNextRunStillHoldsIt()
    {
        Harness.WriteFile("a.txt", "alpha");
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        var run = await Harness.Database.ScalarAsync<long>("select max(id) from orchestrator.run");

        var warning = Assert.Single(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("held by cap docs/Run", StringComparison.Ordinal));
        Assert.Contains($"It goes on only with 'approve {run}' (1 file): it needs more than the whole cap, so no window of it will take it", warning, StringComparison.Ordinal);
        Assert.EndsWith(
            "next file ~10 credits); that is more than the whole cap, so no Run window will take it: only an operator's approval sends it (or a higher limit)",
            await Harness.Database.ScalarAsync<string>("select held_reason from orchestrator.file_version where held_cap is not null"),
            StringComparison.Ordinal);

        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held'"));
        Assert.Equal(1, await Harness.Get<OperatorCommands>().ApproveHeldAsync(run, Ct));
    }
}
