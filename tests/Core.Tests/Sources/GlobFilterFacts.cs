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

    [Theory]
    [InlineData("inbox/report.pdf.part", false)] // Firefox, until the download completes
    [InlineData("inbox/report.pdf.crdownload", false)] // Chrome and Edge
    [InlineData("inbox/report.pdf.filepart", false)] // WinSCP's upload over SFTP
    [InlineData("inbox/counterpart.pdf", true)]
    [InlineData("inbox/report.partner", true)]
    public void Matches_LeavesOutUnfinishedTransfers_EvenWhereEveryNameIsIncluded(string path, bool expected) =>
        Assert.Equal(expected, new GlobFilter(["**/*"], []).Matches(path));

    [Fact]
    public void QuestionMarksAndBrackets_AreNotWildcards_SoValidateRefusesThem()
    {
        // Microsoft.Extensions.FileSystemGlobbing knows '*' and '**' only: the rest is matched as written.
        var filter = new GlobFilter(["report-202?.pdf", "scan[12].pdf"], []);
        Assert.False(filter.Matches("report-2024.pdf"));
        Assert.False(filter.Matches("scan1.pdf"));
        Assert.True(filter.Matches("report-202?.pdf"));

        Assert.Equal(
            [
                "Include:0: 'report-202?.pdf' uses '?', which is not a wildcard here: only '*' (any part of a name) and '**' (any folders) are; write one pattern per name instead",
                "Include:1: 'scan[12].pdf' uses '[', which is not a wildcard here: only '*' (any part of a name) and '**' (any folders) are; write one pattern per name instead",
                "Include:2: 'a/{b,c}/*.pdf' uses '{', which is not a wildcard here: only '*' (any part of a name) and '**' (any folders) are; write one pattern per name instead",
            ],
            GlobFilter.Validate(["report-202?.pdf", "scan[12].pdf", "a/{b,c}/*.pdf", "**/*.pdf"], "Include"));
    }

    [Theory]
    [InlineData("inv//*.pdf", "inv/a.pdf", true)]
    [InlineData("inv///2024//*.pdf", "inv/2024/a.pdf", true)]
    [InlineData("**//*.pdf", "a/b/c.pdf", true)]
    [InlineData("inv//*.pdf", "inv/a.txt", false)]
    public void Matches_ReadsADoubledSlashAsOne(string include, string path, bool expected)
    {
        Assert.Equal(expected, new GlobFilter([include], []).Matches(path));
        Assert.Equal(!expected, new GlobFilter([], [include]).Matches(path));
    }

    [Theory]
    [InlineData("docs/report.pdf", true)]
    [InlineData("docs/2024/notes.txt", true)]
    [InlineData("docs", true)]
    [InlineData("docsx/report.pdf", false)]
    [InlineData("other/docs.pdf", false)]
    public void AnIncludeNamingAFolder_TakesEverythingInIt_AsAnExcludeNamingItLeavesEverythingOut(string path, bool taken)
    {
        Assert.Equal(taken, new GlobFilter(["docs"], []).Matches(path));
        Assert.Equal(!taken, new GlobFilter([], ["docs"]).Matches(path));
        Assert.Equal(taken, new GlobFilter(["inv", "docs"], []).Matches(path));
    }

    [Fact]
    public void AnIncludeEndingInAWildcard_NamesFilesOnly_NotTheContentsOfAFolderItMatches()
    {
        var filter = new GlobFilter(["**/*.pdf", "inv/2024"], []);

        Assert.True(filter.Matches("scans.pdf"));
        Assert.False(filter.Matches("scans.pdf/page-1.png"));
        Assert.True(filter.Matches("inv/2024/a.xml"));
        Assert.False(filter.Matches("inv/2023/a.xml"));
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

    [Theory]
    [InlineData(".DS_Store")]
    [InlineData("a/._report.pdf")]
    [InlineData(".git/config")]
    [InlineData("a/.drafts/report.pdf")]
    public void Matches_LeavesHiddenNamesOut_UnlessTheSourceTakesThem(string path)
    {
        Assert.False(GlobFilter.For(new SourceOptions()).Matches(path));
        Assert.True(GlobFilter.For(new SourceOptions { IncludeHidden = true }).Matches(path));
        Assert.True(GlobFilter.For(new SourceOptions()).Matches(path.Replace("/.", "/", StringComparison.Ordinal).TrimStart('.')));
    }

    [Fact]
    public void Enters_NoHiddenFolder_UnlessTheSourceTakesThem()
    {
        Assert.Equal((false, true), (GlobFilter.For(new SourceOptions()).Enters(".git"), GlobFilter.For(new SourceOptions()).Enters("git")));
        Assert.True(GlobFilter.For(new SourceOptions { IncludeHidden = true }).Enters(".git"));
    }

    [Theory]
    [InlineData("logs", true)] // the folder itself
    [InlineData("logs/app.log", true)]
    [InlineData("logs/2026/app.txt", true)]
    [InlineData("server.log", true)]
    [InlineData("old.log/inside.pdf", true)] // a folder an Exclude pattern matches is left out whole
    [InlineData("logsheet.pdf", false)]
    [InlineData("batch", false)] // a folder the Include patterns do not name as a file may still hold files they take
    [InlineData("batch/report.pdf", false)]
    public void LeavesOutWhollyByPatterns_WhatAnExcludePatternMatches_OrLiesUnderAFolderItMatches(string path, bool leftOut)
    {
        var filter = new GlobFilter(["**/*.pdf"], ["logs", "**/*.log"]);

        Assert.Equal(leftOut, filter.LeavesOutWhollyByPatterns(path));
        Assert.False(new GlobFilter(["**/*.pdf"], []).LeavesOutWhollyByPatterns(path));
        if (leftOut)
        {
            Assert.False(filter.Matches(path + "/deeper/report.pdf"), "the scan takes nothing there either");
        }
    }
}
