namespace BatchOrchestrator.Core.Tests.Sources;

public sealed class GlobFilterFacts
{
    [Theory]
    [InlineData("a/b/report.pdf", true)]
    [InlineData("report.PDF", false)]
    [InlineData("drafts/x.pdf", false)]
    [InlineData("a/notes.txt", false)]
    [InlineData("a/upload.pdf.tmp", false)]
    [InlineData("a/~$report.pdf", false)]
    [InlineData("a/big.pdf.partial", false)]
    public void Matches_AppliesIncludesExcludesAndTheTemporaryNames(string path, bool expected)
    {
        var filter = new GlobFilter(["**/*.pdf", "**/*.pdf.tmp", "**/*.partial"], ["drafts/**"]);

        Assert.Equal(expected, filter.Matches(path));
    }

    [Fact]
    public void Matches_TakesEverything_WhenNoIncludeIsGiven()
    {
        Assert.True(new GlobFilter([], []).Matches("deep/down/any name ü.bin"));
    }

    [Fact]
    public void Matches_TakesTemporaryNames_WhenTheSourceOptsOut()
    {
        Assert.True(new GlobFilter([], [], ignoreTemporary: false).Matches("a/upload.pdf.tmp"));
        Assert.False(new GlobFilter([], []).Matches("a/upload.pdf.tmp"));
    }
}
