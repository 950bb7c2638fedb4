namespace BatchOrchestrator.Core.IntegrationTests.Planning;

/// <summary>
/// A file that needs more than a whole cap is held alone (docs/costs.md, "Caps and reservations"): no window of the cap
/// will take it, so the files planned after it waiting for it would gain it nothing and go out only when a person came.
/// </summary>
public sealed class HeldAloneFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, CapSettings.TwoFilesADay()); // 25 credits a day, 10 a page

    [Fact]
    public async Task AFileOverTheWholeCap_IsHeldAlone_AndTheFilesAfterItAreSent_UntilTheWindowIsSpent()
    {
        Harness.WriteFile("a.txt", new string('x', 9_001)); // 4 pages: 40 credits, more than the whole day
        Harness.WriteFile("b.txt", "beta");
        Harness.WriteFile("c.txt", "gamma");
        var first = await RunAsync();

        Assert.Equal(["a.txt"], await HeldAsync());
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where batch_id is not null"));
        Assert.EndsWith(
            "next file ~40 credits); that is more than the whole cap, so no Day window will take it: only an operator's approval sends it (or a higher limit)",
            await Harness.Database.ScalarAsync<string>("select held_reason from orchestrator.file_version where relative_path = 'a.txt'"),
            StringComparison.Ordinal);
        var warning = Assert.Single(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains($"Run {first} of docs:", StringComparison.Ordinal));
        Assert.Contains(
            $"1 file held by cap docs/Day (25 credits, 25 left; next file ~40 credits); 2 planned. It goes on only with 'approve {first}' (1 file): it needs more than the whole cap",
            warning,
            StringComparison.Ordinal);

        // The day's room spent, a new file waits for the window, and the line names the one no window sends apart.
        Harness.WriteFile("d.txt", "delta");
        var second = await RunAsync();

        Assert.Equal(["a.txt", "d.txt"], await HeldAsync());
        var held = Assert.Single(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains($"Run {second} of docs:", StringComparison.Ordinal));
        Assert.Contains(
            $"2 files held by cap docs/Day (25 credits, 5 left; next file ~10 credits); 0 planned. They go on when the window turns over, or with 'approve {second}' (1 file), 'approve {first}' (1 file); one of them needs more than a whole cap, which only an approval sends",
            held,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHeldFileDeletedOrChanged_IsSkippedByTheNextPlanning_AndWaitsForNobody()
    {
        Harness.WriteFile("a.txt", new string('x', 9_001)); // more than the whole day: only an approval would send it
        Harness.WriteFile("b.txt", "beta");
        await RunAsync();
        Assert.Equal(["a.txt"], await HeldAsync());

        // The operator deletes it rather than approve it; a held file edited since is no longer that content either.
        File.Delete(Path.Combine(Harness.SourcePath, "a.txt"));
        await RunAsync();

        Assert.Empty(await HeldAsync());
        Assert.Equal(
            ("Skipped", "its file changed or was deleted while a spending cap held it: that content is no longer in the folder"),
            (await Harness.Database.ListAsync("select state, error_message from orchestrator.file_version where relative_path = 'a.txt'", r => (r.GetString(0), r.GetString(1)))).Single());
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held'"));
    }

    private async Task<long> RunAsync()
    {
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        return await Harness.Database.ScalarAsync<long>("select max(id) from orchestrator.run");
    }

    private async Task<List<string>> HeldAsync() =>
        await Harness.Database.ListAsync("select relative_path from orchestrator.file_version where held_cap is not null order by relative_path", r => r.GetString(0));
}
