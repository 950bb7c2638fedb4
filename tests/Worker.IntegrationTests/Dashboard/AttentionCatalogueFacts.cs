using BatchOrchestrator.Persistence.Monitoring;
using BatchOrchestrator.Worker.Dashboard;

namespace BatchOrchestrator.Worker.IntegrationTests.Dashboard;

/// <summary>What "Needs a person" says, in the right number.</summary>
public sealed class AttentionCatalogueFacts
{
    [Theory]
    [InlineData(1L, "1 file of docs is held by a spending cap: held by the Day cap on global. Approve them")]
    [InlineData(3L, "3 files of docs are held by a spending cap: held by the Day cap on global. Approve them")]
    public void ACount_IsSaidInTheRightNumber(long count, string expected)
    {
        var table = new OpsTable(
            ["Kind", "Source", "Batch", "Run", "Count", "Since", "Detail"],
            [["held-by-cap", "docs", null, 7L, count, DateTime.UtcNow, "held by the Day cap on global"]]);

        var (item, _) = AttentionCatalogue.Describe(table).Single();

        Assert.StartsWith(expected, item.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(7L, "approve 7")]
    [InlineData(null, "approve <run>, for each run 'costs' lists")] // held under several runs: one approval lets go only its own
    public void FilesHeld_NameTheSettingToChange_AndTheCommandThatLetsThemGo(long? run, string command)
    {
        var table = new OpsTable(
            ["Kind", "Source", "Batch", "Run", "Count", "Since", "Detail"],
            [["held-by-cap", "docs", null, run, 2L, DateTime.UtcNow, "held by the Day cap on global"]]);

        var (item, _) = AttentionCatalogue.Describe(table).Single();

        Assert.Contains("raise the cap in Costs:Caps", item.Text, StringComparison.Ordinal);
        Assert.Equal(command, item.Command);
    }

    [Theory]
    [InlineData(null, "cancel jobs 5")]
    [InlineData("v1_classify", null)] // 'cancel jobs' cancels no classifier job: naming it would send an operator nowhere
    public void StuckJobs_NameCancelJobs_OnlyWhereItCancelsThem(string? detail, string? command)
    {
        var table = new OpsTable(
            ["Kind", "Source", "Batch", "Run", "Count", "Since", "Detail"],
            [["stuck-jobs", "docs", 5L, 2L, 2L, DateTime.UtcNow, detail]]);

        var (item, _) = AttentionCatalogue.Describe(table).Single();

        Assert.Equal(command, item.Command);
        Assert.Equal(detail is null, item.Text.Contains("cancel them", StringComparison.Ordinal));
    }
}
