using BatchOrchestrator.Persistence.Monitoring;
using BatchOrchestrator.Worker.CommandLine;
using BatchOrchestrator.Worker.Dashboard;

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

    /// <summary>
    /// A file name may hold any byte but '/' and NUL: an escape sequence in one (a path in a reason, an error, the costs'
    /// dearest files) must not reach a terminal as a command, nor a tab or a vertical tab split a pipe's row.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ControlCharactersInACell_AreShownAsQuestionMarks_NotWrittenRaw(bool terminal)
    {
        var output = new StringWriter();
        var table = new OpsTable(["Path", "Error"], [["evil\u001b]0;owned\u0007\u001b[2J.pdf", "tab\there\u000bvertical\u0085next\u009bcsi"]]);

        VerbTable.Write(new VerbConsole(output, terminal), "Files", table, "none");

        var text = output.ToString();
        Assert.Contains("evil?]0;owned??[2J.pdf", text, StringComparison.Ordinal);
        Assert.Contains("tab?here?vertical next?csi", text, StringComparison.Ordinal);
        if (!terminal)
        {
            // In a pipe, no escape at all (a terminal gets Spectre's own styling only).
            Assert.DoesNotContain('\u001b', text);
        }

        Assert.DoesNotContain('\u0007', text);
        Assert.DoesNotContain('\u000b', text);
        Assert.DoesNotContain('\u009b', text);
        Assert.DoesNotContain('\t', text);
    }

    /// <summary>
    /// A right-to-left override in a name reorders what follows it: "invoice‮fdp.exe" would read "invoiceexe.pdf". Shown as
    /// '?' on a terminal and in a pipe, as on the dashboard's pages.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BidirectionalOverridesInACell_AreShownAsQuestionMarks(bool terminal)
    {
        var output = new StringWriter();
        var table = new OpsTable(["Path"], [["invoice\u202Efdp.exe"], ["a\u2066b\u2069c\u200Fd"]]);

        VerbTable.Write(new VerbConsole(output, terminal), "Files", table, "none");

        var text = output.ToString();
        Assert.Contains("invoice?fdp.exe", text, StringComparison.Ordinal);
        Assert.Contains("a?b?c?d", text, StringComparison.Ordinal);
        Assert.DoesNotContain(text, ShownText.IsBidiControl);
        Assert.Contains("invoice?fdp.exe", OpsCell.Encode("invoice\u202Efdp.exe"), StringComparison.Ordinal);
    }

    /// <summary>A cut never splits a character outside the first plane: half of one breaks the line's encoding.</summary>
    [Theory]
    [InlineData("abcd", 5, "abcd")]
    [InlineData("abcdef", 5, "abcd…")]
    [InlineData("abc\U0001F600def", 5, "abc…")]
    [InlineData("ab\U0001F600def", 5, "ab\U0001F600…")]
    public void ACut_KeepsSurrogatePairsWhole(string text, int max, string shown)
    {
        Assert.Equal(shown, ShownText.Cut(text, max));
    }
}
