namespace BatchOrchestrator.Core.Tests.Validation;

/// <summary>
/// A value of the wrong type inside a list or dictionary is refused naming its key: the binder alone drops the
/// whole element without a word, and the service would start watching nothing, or with a cap switched off.
/// </summary>
public sealed class ConvertibleValuesFacts : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("bo-convertible-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("Sources:0:SettleWindow", "3s", "Sources:0:SettleWindow: '3s' is not a valid TimeSpan (hh:mm:ss or d.hh:mm:ss, e.g. 00:00:03 for three seconds)")]
    [InlineData("Sources:0:Layout", "Bogus", "Sources:0:Layout: 'Bogus' must be one of PerRun, Mirror, RemoteOnly")]
    [InlineData("Sources:0:MaxFileBytes", "abc", "Sources:0:MaxFileBytes: 'abc' is not a whole number")]
    [InlineData("Sources:0:Watch", "yes", "Sources:0:Watch: 'yes' must be true or false")]
    [InlineData("Costs:Caps:0:Window", "Fortnight", "Costs:Caps:0:Window: 'Fortnight' must be one of Run, Day, Month")]
    [InlineData("Costs:Caps:0:Credits", "abc", "Costs:Caps:0:Credits: 'abc' is not a number")]
    [InlineData("Costs:CreditsPerPage:parse_v2:fast", "abc", "Costs:CreditsPerPage:parse_v2:fast: 'abc' is not a number")]
    public void AnElementWithAValueOfTheWrongType_IsRefused_NamingItsKey_RatherThanDropped(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "inbox",
            ["Sources:0:Path"] = folder,
            ["Costs:Caps:0:Credits"] = "25",
            [key] = value,
        };

        Assert.Equal([expected], StartupChecks.Failures(settings));
    }

    [Fact]
    public void ElementsOfTheRightType_Pass()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "inbox",
            ["Sources:0:Path"] = folder,
            ["Sources:0:SettleWindow"] = "00:00:03",
            ["Sources:0:Layout"] = "mirror",
            ["Sources:0:MaxFileBytes"] = "1000",
            ["Costs:Caps:0:Window"] = "Month",
            ["Costs:Caps:0:Credits"] = "25.5",
            ["Costs:CreditsPerPage:parse_v2:fast"] = "2",
        };

        Assert.Empty(StartupChecks.Failures(settings));
    }
}
