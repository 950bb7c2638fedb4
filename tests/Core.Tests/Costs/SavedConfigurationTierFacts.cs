using System.Text.Json;

namespace BatchOrchestrator.Core.Tests.Costs;

/// <summary>What a saved configuration read from the API is priced at, before a planning reserves its files against the caps.</summary>
public sealed class SavedConfigurationTierFacts
{
    private static readonly PriceModel Prices = new(new FixedMonitor(new CostOptions()));
    private static readonly decimal Unpriced = new CostOptions().UnpricedOptionCreditsPerPage;

    [Fact]
    public void AnExtractConfigurationNamingNoTier_IsUnknown_AndEachPageIsReservedAtTheDearestExtractAndParse()
    {
        // The service runs it at a default no source states: reserving it at a guessed tier would let a cap be
        // passed if the default is dearer (docs/costs.md, "Tier of a configuration").
        var tier = TierResolver.FromRemote(Saved("""{"product_type":"extract_v2","data_schema":{}}"""), "extract_v2", Unpriced);

        Assert.False(tier.Known);
        Assert.Equal(50 + 45, Prices.CreditsPerPage(tier));
    }

    [Fact]
    public void AnExtractConfigurationNamingItsTier_IsPricedAtIt_AndParsesAtItsParseTierOrTheSame()
    {
        var same = TierResolver.FromRemote(Saved("""{"product_type":"extract_v2","data_schema":{},"tier":"agentic"}"""), "extract_v2", Unpriced);
        var cheaperParse = TierResolver.FromRemote(Saved("""{"product_type":"extract_v2","data_schema":{},"tier":"agentic","parse_tier":"fast"}"""), "extract_v2", Unpriced);

        Assert.Equal(("agentic", true, 15 + 10m), (same.Tier, same.Known, Prices.CreditsPerPage(same)));
        Assert.Equal(15 + 1, Prices.CreditsPerPage(cheaperParse));
    }

    [Fact]
    public void AParseConfigurationWhoseAutoModeRulesParseAtDearerTiers_ReservesEachPageAtTheDearest()
    {
        // Which pages a rule matches is learnt only by parsing: at the base tier alone, a fast configuration whose rule
        // sends pages with tables to agentic_plus was reserved at 1 credit a page for pages billed at 45.
        var tier = TierResolver.FromRemote(Saved("""
            {"product_type":"parse_v2","tier":"fast","version":"latest","processing_options":{"auto_mode_configuration":[
                {"table_in_page":true,"parsing_conf":{"tier":"agentic_plus","version":"latest"}},
                {"image_in_page":true,"parsing_conf":{"tier":"cost_effective","version":"latest"}},
                {"text_in_page":"total","parsing_conf":{"language":"fr"}}]}}
            """), "parse_v2", Unpriced);

        Assert.Equal(("fast", true, 45m), (tier.Tier, tier.Known, Prices.CreditsPerPage(tier)));
        Assert.Contains("auto-mode rules parse the pages they match at agentic_plus, cost_effective", tier.Basis, StringComparison.Ordinal);
    }

    [Fact]
    public void AParseConfigurationScoringConfidenceHigh_ReservesFiveCreditsAPageMore()
    {
        // The SDK: confidence_score_effort 'high' "costs an additional 5 credits per page" (docs/llamacloud-api.md §1.7).
        var tier = TierResolver.FromRemote(Saved("""
            {"product_type":"parse_v2","tier":"agentic","version":"latest","processing_options":{"confidence_score_effort":"high"}}
            """), "parse_v2", Unpriced);
        var plain = TierResolver.FromRemote(Saved("""{"product_type":"parse_v2","tier":"agentic","version":"latest","processing_options":{}}"""), "parse_v2", Unpriced);

        Assert.Equal((10 + 5m, 10m), (Prices.CreditsPerPage(tier), Prices.CreditsPerPage(plain)));
    }

    [Fact]
    public void AnExtractConfigurationParsingWithASavedParseConfiguration_ReservesItsParseAtTheDearestParseTier()
    {
        // Its parse runs at the tier of the saved parse configuration it names, which is not read: an agentic_plus parse
        // behind a cost_effective extract was reserved at the extract tier's own parse, 3 credits a page for 45.
        var tier = TierResolver.FromRemote(Saved("""
            {"product_type":"extract_v2","data_schema":{},"tier":"cost_effective","parse_config_id":"cfg-tables"}
            """), "extract_v2", Unpriced);

        Assert.Equal(("cost_effective", true, 5 + 45m), (tier.Tier, tier.Known, Prices.CreditsPerPage(tier)));
        Assert.Contains("cfg-tables", tier.Basis, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("spreadsheet_v1")]
    [InlineData("classify_v2")]
    public void AConfigurationOfAProductTypeWithoutPrices_IsReservedAtTheDearestTierOfTheSourcesJobType_NotAtNothing(string productType)
    {
        // No price table is kept for such a product type: priced by its own type, each page was reserved at 0 credits,
        // and no cap held a file of the source however many it sent (docs/costs.md, "Tier of a configuration").
        var tier = TierResolver.FromRemote(Saved($$"""{"product_type":"{{productType}}","tier":"agentic"}"""), "parse_v2", Unpriced);

        Assert.False(tier.Known);
        Assert.Equal(45, Prices.CreditsPerPage(tier));
        Assert.Contains(productType, tier.Basis, StringComparison.Ordinal);
    }

    [Theory]
    // A parse: the SDK names an extra pass for chart parsing (at the top or in an auto-mode rule) and for form enrichment, but no price.
    [InlineData("""{"product_type":"parse_v2","tier":"agentic","version":"latest","processing_options":{"specialized_chart_parsing":"agentic_plus"}}""", 10 + 45, "specialized_chart_parsing")]
    [InlineData("""{"product_type":"parse_v2","tier":"agentic","version":"latest","processing_options":{"forms":"enrich","auto_mode_configuration":[{"table_in_page":true,"parsing_conf":{"specialized_chart_parsing":"efficient"}}]}}""", 10 + 45 + 45, "specialized_chart_parsing, forms enrich")]
    // An extract (cost_effective, parsing at cost_effective: 5 + 3): citations and confidence scores, no price either.
    [InlineData("""{"product_type":"extract_v2","data_schema":{},"tier":"cost_effective","cite_sources":true,"confidence_scores":true}""", 5 + 3 + 45 + 45, "cite_sources, confidence_scores")]
    public void AnOptionWhosePriceNoSourceStates_IsReservedAtUnpricedOptionCreditsPerPage_NotAsFree(string parameters, int credits, string named)
    {
        // Estimated at nothing, a cap let its pages pass at their tier's price alone, whatever the option bills on top.
        var tier = TierResolver.FromRemote(Saved(parameters), parameters.Contains("extract_v2", StringComparison.Ordinal) ? "extract_v2" : "parse_v2", Unpriced);
        var asFree = TierResolver.FromRemote(Saved(parameters), tier.JobType, 0);

        Assert.Equal(credits, Prices.CreditsPerPage(tier));
        Assert.Equal(credits - (45 * named.Split(", ").Length), Prices.CreditsPerPage(asFree));
        Assert.Contains($"{named}: {TierResolver.UnpricedNote}, 45 credits a page more each", tier.Basis, StringComparison.Ordinal);
    }

    [Fact]
    public void ATierOfAJobTypeWithoutAPriceTable_CostsTheDearestPageOfAnyTable()
    {
        // A tier cached under its configuration's own product type before it was read as the source's job type: until
        // it is read again, it must not cost nothing either.
        var cached = new ConfigurationTier("spreadsheet_v1", "unknown", null, false, "v1", "saved configuration, version v1");

        Assert.Equal(50, Prices.CreditsPerPage(cached));
    }

    private static RemoteConfiguration Saved(string parameters)
    {
        using var document = JsonDocument.Parse(parameters);
        return new RemoteConfiguration("cfg-saved", "saved", document.RootElement.GetProperty("product_type").GetString()!, "v1", document.RootElement.Clone());
    }

    private sealed class FixedMonitor(CostOptions value) : IOptionsMonitor<CostOptions>
    {
        public CostOptions CurrentValue => value;

        public CostOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<CostOptions, string?> listener) => null;
    }
}
