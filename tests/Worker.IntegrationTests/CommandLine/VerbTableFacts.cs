using BatchOrchestrator.Persistence.Monitoring;
using BatchOrchestrator.Worker.CommandLine;

namespace BatchOrchestrator.Worker.IntegrationTests.CommandLine;

/// <summary>A verb's table: cut to fit on a terminal, whole in a pipe, where a script reads the reasons.</summary>
public sealed class VerbTableFacts
{
    private const string Reason = "held by the Day cap on demo (3100 credits, 0 left of 3000): the window turns over at 00:00 UTC, or approve run 67";

    [Theory]
    [InlineData(false, Reason)]
    [InlineData(true, "held by the Day cap on demo (3100 credits, 0 le…")]
    public void ACellsText_IsWholeInAPipe_AndCutOnATerminal(bool terminal, string shown)
    {
        var output = new StringWriter();
        var table = new OpsTable(["Run", "Held reason"], [[67L, Reason]]);

        VerbTable.Write(new VerbConsole(output, terminal), "Held", table, "none");

        Assert.Contains(shown, output.ToString(), StringComparison.Ordinal);
        Assert.Equal(!terminal, output.ToString().Contains(Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void AColumnAskedWhole_IsWrappedOnATerminal_NotCut()
    {
        var output = new StringWriter();
        var table = new OpsTable(["Run", "Held reason"], [[67L, Reason]]);

        VerbTable.Write(new VerbConsole(output, isTerminal: true), "Held", table, "none", new HashSet<string>(StringComparer.Ordinal) { "Held reason" });

        Assert.DoesNotContain("…", output.ToString(), StringComparison.Ordinal);
        Assert.Contains(Reason, System.Text.RegularExpressions.Regex.Replace(output.ToString(), @"[\s│]+", " "), StringComparison.Ordinal);
    }
}
