namespace BatchOrchestrator.Core.Tests;

/// <summary>
/// The codebase's shape, checked so that it holds as the code grows: no C# file over 300 lines (docs/contributing.md:
/// a longer one does more than one thing), a Program.cs that starts the host and nothing else, a README that stays a
/// front door (the rest lives in docs/), and test files about as short as the code they read like.
/// </summary>
public sealed class CodebaseShapeFacts
{
    private const int MaxLines = 300;

    [Fact]
    public void NoCSharpFile_IsOverThreeHundredLines()
    {
        var files = CSharpFiles("src", "tests", "bench");

        var tooLong = files.Select(f => (File: Path.GetRelativePath(Repository.Root, f), Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > MaxLines)
            .Select(f => $"{f.File}: {f.Lines} lines")
            .ToList();

        Assert.True(files.Count > 300, $"only {files.Count} C# files found under {Repository.Root}"); // the tree is read, not empty
        Assert.True(tooLong.Count == 0, $"Over {MaxLines} lines (split it where it does two things):\n" + string.Join("\n", tooLong));
    }

    [Fact]
    public void ProgramCs_StaysWithinTwentyLines()
    {
        Assert.InRange(File.ReadLines(Repository.PathOf("src/Worker/Program.cs")).Count(), 1, 20);
    }

    [Fact]
    public void TheReadme_StaysAFrontDoor_OfAtMostTwelveThousandCharacters()
    {
        Assert.InRange(File.ReadAllText(Repository.PathOf("README.md")).Length, 1, 12_000);
    }

    [Fact]
    public void TheMedianTestFile_IsAtMostEightyLines()
    {
        var lengths = CSharpFiles("tests").Select(f => File.ReadLines(f).Count()).Order().ToList();

        Assert.InRange(lengths[lengths.Count / 2], 1, 80);
    }

    private static List<string> CSharpFiles(params string[] folders) =>
    [
        .. folders.SelectMany(folder => Directory.EnumerateFiles(Repository.PathOf(folder), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules")),
    ];
}
