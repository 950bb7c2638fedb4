namespace BatchOrchestrator.Core.Tests.Costs;

/// <summary>Bad prices, caps and fallbacks stop start-up, each naming its key.</summary>
public sealed class CostOptionsValidatorFacts
{
    [Fact]
    public void RefusesANegativePrice_ACapOnAnUnknownSource_APresetOfAnotherJobType_AndAnUnknownZone()
    {
        var sources = new SourcesOptions { Sources = [new SourceOptions { Name = "invoices", JobType = "extract_v2", FallbackConfigurationId = "cfg-PARSE_AGENTIC" }] };
        var options = new CostOptions { UsdPer1000Credits = -1, TimeZone = "Mars/Olympus", Caps = [new CapOptions { Source = "nope", Credits = 10 }, new CapOptions { Credits = 0, Window = CapWindow.Month }] };
        options.CreditsPerPage["parse_v2"]["fast"] = -2;

        var failures = new CostOptionsValidator(Options.Create(sources)).Validate(null, options).Failures!.ToList();

        Assert.Contains("Costs:UsdPer1000Credits: -1 must not be negative", failures);
        Assert.Contains("Costs:CreditsPerPage:parse_v2:fast: -2 must not be negative", failures);
        Assert.Contains(failures, f => f.StartsWith("Costs:Caps:0:Source: 'nope' is not a configured source", StringComparison.Ordinal));
        Assert.Contains("Costs:Caps:1:Credits: 0 must be more than zero", failures);
        Assert.Contains("Costs:TimeZone: 'Mars/Olympus' is not a known time zone id", failures);
        Assert.Contains("Sources:0:FallbackConfigurationId: 'cfg-PARSE_AGENTIC' is a preset of parse_v2, but Sources:0:JobType is extract_v2", failures);
        Assert.Contains("Sources:0:ConfigurationId: 'cfg-PARSE_AGENTIC' is a preset of parse_v2, but Sources:0:JobType is extract_v2", failures);
        Assert.Equal(7, failures.Count);
    }

    [Fact]
    public void APriceOfZero_IsRefusedWhileACapIsSet_SinceWhatIsEstimatedAtNothingNoCapHolds()
    {
        var sources = new SourcesOptions { Sources = [new SourceOptions { Name = "invoices" }] };
        var capped = new CostOptions { Caps = [new CapOptions { Credits = 5_000, Window = CapWindow.Month }] };
        capped.CreditsPerPage["parse_v2"]["agentic"] = 0;
        var uncapped = new CostOptions();
        uncapped.CreditsPerPage["parse_v2"]["agentic"] = 0;

        var failures = new CostOptionsValidator(Options.Create(sources)).Validate(null, capped).Failures!.ToList();

        Assert.Equal(
            ["Costs:CreditsPerPage:parse_v2:agentic: 0 estimates every page at this tier at nothing, so no cap (Costs:Caps) holds a file of it "
                + "before LlamaCloud bills it; give the tier its price (docs/costs.md, \"Price model\")"],
            failures);
        Assert.True(new CostOptionsValidator(Options.Create(sources)).Validate(null, uncapped).Succeeded);
    }

    [Fact]
    public void ACapOnASourceNamedGlobal_IsRefused_SinceCapsCountAllSourcesTogetherUnderThatWord()
    {
        var sources = new SourcesOptions { Sources = [new SourceOptions { Name = "global" }, new SourceOptions { Name = "invoices" }] };
        var options = new CostOptions { Caps = [new CapOptions { Source = "global", Credits = 10 }] };

        var failures = new CostOptionsValidator(Options.Create(sources)).Validate(null, options).Failures!.ToList();

        Assert.Equal(
            ["Costs:Caps:0:Source: 'global' is the word caps use for all sources together; leave it empty for a cap on all sources, or rename the source it means (Sources:N:Name)"],
            failures);
    }

    [Fact]
    public void TheDefaults_AndACapOnAConfiguredSource_Pass()
    {
        var sources = new SourcesOptions { Sources = [new SourceOptions { Name = "invoices" }] };
        var options = new CostOptions { Caps = [new CapOptions { Source = "invoices", Credits = 5_000 }, new CapOptions { Credits = 100_000, Window = CapWindow.Month }] };

        Assert.True(new CostOptionsValidator(Options.Create(sources)).Validate(null, options).Succeeded);
    }

    [Fact]
    public void AV1Source_MayLeaveItsConfigurationIdEmpty_OrKeepAnyPreset_SinceItSendsNone()
    {
        var sources = new SourcesOptions
        {
            Sources =
            [
                new SourceOptions { Name = "legacy", Path = AppContext.BaseDirectory, JobType = "v1_parse", ConfigurationId = "" },
                new SourceOptions { Name = "labels", Path = AppContext.BaseDirectory, JobType = "v1_classify", ClassifyRules = [new ClassifyRuleOptions { Type = "invoice", Description = "an invoice" }] },
            ],
        };

        Assert.True(new SourcesOptionsValidator().Validate(null, sources).Succeeded);
        Assert.True(new CostOptionsValidator(Options.Create(sources)).Validate(null, new CostOptions()).Succeeded);
    }

    [Fact]
    public void ACapOverARemoteOnlySource_IsRefused_ByName_OrAsACapOnAllSources()
    {
        var sources = new SourcesOptions
        {
            Sources =
            [
                new SourceOptions { Name = "invoices" },
                new SourceOptions { Name = "archive", Layout = RemoteLayout.RemoteOnly, RemoteDirectoryId = "dir-1", Path = "" },
            ],
        };
        var options = new CostOptions
        {
            Caps = [new CapOptions { Source = "archive", Credits = 5_000 }, new CapOptions { Credits = 100_000, Window = CapWindow.Month }, new CapOptions { Source = "invoices", Credits = 5_000 }],
        };

        var failures = new CostOptionsValidator(Options.Create(sources)).Validate(null, options).Failures!.ToList();

        Assert.Equal(2, failures.Count);
        Assert.StartsWith("Costs:Caps:0:Source: 'archive' is RemoteOnly, whose spending no cap can bound", failures[0], StringComparison.Ordinal);
        Assert.StartsWith("Costs:Caps:1:Source: empty (a cap on all sources), but 'archive' is RemoteOnly", failures[1], StringComparison.Ordinal);
    }

    [Fact]
    public void ACapOnASource_IsNotTakenForAnUnknownOne_WhileTheSourcesAreInvalidThemselves()
    {
        var options = new CostOptions { Caps = [new CapOptions { Source = "invoices", Credits = 5_000 }] };

        Assert.True(new CostOptionsValidator(new InvalidSources()).Validate(null, options).Succeeded);
    }

    /// <summary>Sources whose own validator failed: reading them throws, as the options pipeline does.</summary>
    [Theory]
    [InlineData("00:00:00", "Costs:PageCountTimeout: 00:00:00 must be more than 0 and at most 00:10:00")]
    [InlineData("-00:00:01", "Costs:PageCountTimeout: -00:00:01 must be more than 0 and at most 00:10:00")]
    [InlineData("01:00:00", "Costs:PageCountTimeout: 01:00:00 must be more than 0 and at most 00:10:00")]
    public void APageCountTimeoutOfNothingOrOfMoreThanTenMinutes_IsRefused(string timeout, string failure)
    {
        var sources = Options.Create(new SourcesOptions { Sources = [new SourceOptions { Name = "invoices" }] });
        var options = new CostOptions { PageCountTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.Equal([failure], new CostOptionsValidator(sources).Validate(null, options).Failures!);
        Assert.True(new CostOptionsValidator(sources).Validate(null, new CostOptions { PageCountTimeout = TimeSpan.FromSeconds(1) }).Succeeded);
        Assert.Equal(TimeSpan.FromSeconds(30), new CostOptions().PageCountTimeout);
    }

    private sealed class InvalidSources : IOptions<SourcesOptions>
    {
        public SourcesOptions Value => throw new OptionsValidationException(Options.DefaultName, typeof(SourcesOptions), ["Sources:0:Schedule: 'nightly' is not a cron expression"]);
    }
}
