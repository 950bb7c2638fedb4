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
    [InlineData("Sources:0:SettleWindow", "30", "Sources:0:SettleWindow: '30' is not a valid TimeSpan here: a bare number is read as days (write 30.00:00:00 if days are meant, or hh:mm:ss, e.g. 00:02:00 for two minutes)")]
    [InlineData("Sources:0:Layout", "Bogus", "Sources:0:Layout: 'Bogus' must be one of PerRun, Mirror, RemoteOnly")]
    [InlineData("Sources:0:Layout", "3", "Sources:0:Layout: '3' must be one of PerRun, Mirror, RemoteOnly")]
    [InlineData("Sources:0:Symlinks", "2", "Sources:0:Symlinks: '2' must be one of Skip, Follow")]
    [InlineData("Sources:0:Symlinks", "1", "Sources:0:Symlinks: '1' must be one of Skip, Follow")]
    [InlineData("Sources:0:Symlinks", "Skip,Follow", "Sources:0:Symlinks: 'Skip,Follow' must be one of Skip, Follow")]
    [InlineData("Sources:0:Layout", "Mirror,RemoteOnly", "Sources:0:Layout: 'Mirror,RemoteOnly' must be one of PerRun, Mirror, RemoteOnly")]
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
    public void AnElementWithAValueOfTheWrongType_LeavesEveryOtherElementItsNumber_InTheMessages()
    {
        // Left out by the binder, Sources:1 made Sources:2 the second source, and its problem was named as Sources:1's.
        var settings = new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "inbox",
            ["Sources:0:Path"] = folder,
            ["Sources:1:Name"] = "second",
            ["Sources:1:Path"] = folder,
            ["Sources:1:SettleWindow"] = "3s",
            ["Sources:2:Name"] = "third",
            ["Sources:2:Path"] = folder,
            ["Sources:2:MaxFileBytes"] = "-1",
            ["Costs:Caps:0:Credits"] = "abc",
            ["Costs:Caps:1:Credits"] = "-5",
            ["Costs:Caps:1:Window"] = "Month",
        };

        Assert.Equal(
            [
                "Costs:Caps:0:Credits: 'abc' is not a number",
                "Costs:Caps:1:Credits: -5 must be more than zero",
                "Sources:1:SettleWindow: '3s' is not a valid TimeSpan (hh:mm:ss or d.hh:mm:ss, e.g. 00:00:03 for three seconds)",
                "Sources:2:MaxFileBytes: -1 must be positive (or empty for the API's limit)",
            ],
            StartupChecks.Failures(settings).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ACapWithAWindowOfTheWrongType_IsNotTakenForASecondCapOfTheDefaultWindow_BesideAnother()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "inbox",
            ["Sources:0:Path"] = folder,
            ["Costs:Caps:0:Source"] = "inbox",
            ["Costs:Caps:0:Window"] = "Daily",
            ["Costs:Caps:0:Credits"] = "10",
            ["Costs:Caps:1:Source"] = "inbox",
            ["Costs:Caps:1:Window"] = "Day",
            ["Costs:Caps:1:Credits"] = "5",
        };

        // Bound without its window, Caps:0 is a Day cap, and Caps:1 was refused as a second one: for a value nobody wrote.
        Assert.Equal(["Costs:Caps:0:Window: 'Daily' must be one of Run, Day, Month (Costs:Caps:0 is checked no further until this is fixed)"], StartupChecks.Failures(settings));
        settings["Costs:Caps:0:Window"] = "Day";
        Assert.Equal(["Costs:Caps:1: a second Day cap on inbox, beside Costs:Caps:0"], StartupChecks.Failures(settings));
    }

    [Fact]
    public void AnElementWithAValueOfTheWrongType_SaysItsOtherProblemsWaitForTheFix_WhenItHasAny()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "inbox",
            ["Sources:0:Path"] = folder,
            ["Sources:0:DedupeKey"] = "ContentSha",
            ["Sources:0:Schedule"] = "every minute",
            ["Sources:0:TimeZone"] = "Europe/Pari",
        };

        // Listed alone, as "1 problem", the enum hid the schedule and the zone: fixed, the next check found two more.
        Assert.Equal(
            ["Sources:0:DedupeKey: 'ContentSha' must be one of ContentHash, ContentHashAndPath (Sources:0 is checked no further until this is fixed)"],
            StartupChecks.Failures(settings));
        settings["Sources:0:DedupeKey"] = "ContentHash";
        Assert.Equal(2, StartupChecks.Failures(settings).Count);
    }

    [Fact]
    public void PlainValuesOfTheWrongType_AreNamedInOurWords_BesideTheSectionsOtherProblems()
    {
        // The binder threw for the first of them, in its own words, before any validator had looked at the rest.
        var settings = new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "inbox",
            ["Sources:0:Path"] = folder,
            ["Pipeline:UploadConcurrency"] = "eight",
            ["Pipeline:MaxFilesPerBatch"] = "0",
            ["Pipeline:RetryRunAfter"] = "-00:05:00",
            ["Polling:Interval"] = "5s",
            ["Costs:UsdPer1000Credits"] = "cheap",
            ["Costs:CreditsPerPage:parse_v2:fast"] = "-1",
        };

        string[] expected =
            [
                "Pipeline:UploadConcurrency: 'eight' is not a whole number",
                "Pipeline:MaxFilesPerBatch: 0 must be between 1 and 1000 (LlamaCloud's limit per batch)",
                "Pipeline:RetryRunAfter: -00:05:00 must be from 00:00:00 (off: the schedule's next run takes the files) to 7.00:00:00",
                "Polling:Interval: '5s' is not a valid TimeSpan (hh:mm:ss or d.hh:mm:ss, e.g. 00:00:03 for three seconds)",
                "Costs:UsdPer1000Credits: 'cheap' is not a number",
                "Costs:CreditsPerPage:parse_v2:fast: -1 must not be negative",
            ];

        Assert.Equal(expected.Order(StringComparer.Ordinal), StartupChecks.Failures(settings).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Webhooks:PublicUrl", "https://gw.example.com:99999/hooks/llamacloud?code=S3cretTOKEN", "https://gw.example.com:99999/hooks/llamacloud")]
    [InlineData("Webhooks:PublicUrl", "https://gw example.com/hooks/llamacloud#S3cretTOKEN", "https://gw example.com/hooks/llamacloud")]
    [InlineData("LlamaCloud:BaseUrl", "https://ops:S3cretPW@api.cloud.eu.llamaindex.ai:44x3/", "https://…@api.cloud.eu.llamaindex.ai:44x3/")]
    [InlineData("LlamaCloud:BaseUrl", "https://ops:S3cret?PW@api.cloud.eu.llamaindex.ai/", "https://…@api.cloud.eu.llamaindex.ai/")] // a '?' in the password
    [InlineData("Webhooks:PublicUrl", "https://gw.example.com:99999/hooks?user=ops@corp&code=S3cretTOKEN", "https://gw.example.com:99999/hooks")] // an '@' in the query
    [InlineData("Webhooks:PublicUrl", "https://gw example.com?user=ops@corp&code=S3cretTOKEN", "https://…")] // and no path to tell the authority's end by
    public void AUrlThatDoesNotParse_IsQuotedWithoutItsUserInfoQueryOrFragment(string key, string value, string shown)
    {
        // A URL the binder cannot convert was quoted whole: a gateway's token or a password, in start-up's log and config check.
        var failures = StartupChecks.Failures(new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "inbox",
            ["Sources:0:Path"] = folder,
            [key] = value,
        });

        Assert.Equal([$"{key}: '{shown} (its user name, password, query or fragment not shown)' is not a valid Uri"], failures);
        Assert.All(failures, failure => Assert.DoesNotContain("S3cret", failure, StringComparison.Ordinal));
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
