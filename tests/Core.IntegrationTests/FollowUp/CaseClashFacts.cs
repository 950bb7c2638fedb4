namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// Report.txt and report.txt in one source have results whose names differ only in case; on an output share that does
/// not tell case apart the second would replace the first's. ext4 tells case apart, so the share is imitated where it
/// shows: asked for report.txt.json, it hands back Report.txt's file (docs/pipeline.md, "Follow-up sinks").
/// </summary>
public sealed class CaseClashFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private string Output => Path.Combine(Harness.Root, "output", PipelineHarness.SourceName);

    [Fact]
    public async Task AResultsNameThatHoldsAnotherFilesResult_ButForCase_IsNotOverwritten_TheResultIsWrittenApart_AndAWarningSaysSo()
    {
        Harness.WriteFile("Report.txt", "upper case name");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        // What a share that folds case shows under the lower-case names: the upper-case file's results.
        File.Copy(Path.Combine(Output, "Report.txt.json"), Path.Combine(Output, "report.txt.json"));
        File.Copy(Path.Combine(Output, "Report.txt.md"), Path.Combine(Output, "report.txt.md"));

        Harness.WriteFile("report.txt", "lower case name");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        Assert.Contains("upper case name", await File.ReadAllTextAsync(Path.Combine(Output, "report.txt.md"), Ct), StringComparison.Ordinal);
        Assert.Equal("Report.txt", RelativePathIn("report.txt.json"));
        var apart = CaseClash.Apart("report.txt");
        Assert.Matches("^report\\.txt~[0-9a-f]{16}$", apart);
        Assert.Contains("lower case name", await File.ReadAllTextAsync(Path.Combine(Output, apart + ".md"), Ct), StringComparison.Ordinal);
        Assert.Equal("report.txt", RelativePathIn(apart + ".json"));
        Assert.Contains(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal)
            && l.Contains($"Results of report.txt are written as {apart}.md and .json: the output folder holds the results of Report.txt under the same name", StringComparison.Ordinal));
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp'"));

        // Written again (a rerun, a newer version): the same name apart, its own result replaced, the other's untouched.
        Harness.WriteFile("report.txt", "lower case name, edited");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        Assert.Contains("edited", await File.ReadAllTextAsync(Path.Combine(Output, apart + ".md"), Ct), StringComparison.Ordinal);
        Assert.Equal("Report.txt", RelativePathIn("report.txt.json"));
    }

    [Fact]
    public async Task InAFolderThatTellsCaseApart_EachNameGetsItsResultsUnderItsOwnName()
    {
        Harness.WriteFile("Report.txt", "upper case name");
        Harness.WriteFile("report.txt", "lower case name");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        Assert.Equal(
            ["Report.txt.json", "Report.txt.md", "report.txt.json", "report.txt.md"],
            Directory.EnumerateFiles(Output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(("Report.txt", "report.txt"), (RelativePathIn("Report.txt.json"), RelativePathIn("report.txt.json")));
        Assert.DoesNotContain(Harness.Logs.Lines, l => l.Contains("differs only in case", StringComparison.Ordinal));
    }

    private string? RelativePathIn(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Output, name)));
        return json.RootElement.GetProperty("relative_path").GetString();
    }
}
