namespace BatchOrchestrator.Core.Tests.Sources;

/// <summary>Include/Exclude patterns that would take, or leave out, nothing without a word are refused at start-up.</summary>
public sealed class SourcePatternValidationFacts : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("bo-patterns-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("Include", "**/*.pdf ", "Sources:0:Include:1: '**/*.pdf ' has a trailing space, which would be matched as part of a name; remove it")]
    [InlineData("Include", " inv/*.pdf", "Sources:0:Include:1: ' inv/*.pdf' has a leading space, which would be matched as part of a name; remove it")]
    [InlineData("Exclude", "drafts/**\t", "Sources:0:Exclude:1: 'drafts/**\t' has a trailing white space, which would be matched as part of a name; remove it")]
    [InlineData("Include", "inv//*.pdf", null)]
    public void APatternWithASpaceAtAnEnd_IsRefused_SinceItWouldTakeOrLeaveOutNothing(string list, string pattern, string? failure)
    {
        var source = list == "Include"
            ? new SourceOptions { Name = "docs", Path = folder, Include = ["**/*.pdf", pattern] }
            : new SourceOptions { Name = "docs", Path = folder, Exclude = ["tmp/**", pattern] };

        var result = new SourcesOptionsValidator().Validate(null, new SourcesOptions { Sources = [source] });

        Assert.Equal(failure is null ? [] : [failure], result.Failures ?? []);
    }
}
