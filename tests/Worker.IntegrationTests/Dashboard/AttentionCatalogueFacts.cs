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
}
