using System.Text.Json;

namespace BatchOrchestrator.Core.Tests.Costs;

/// <summary>What a saved configuration read from the API is priced at, before a planning reserves its files against the caps.</summary>
public sealed class SavedConfigurationTierFacts
{
    private static readonly PriceModel Prices = new(new FixedMonitor(new CostOptions()));

    [Fact]
    public void AnExtractConfigurationNamingNoTier_IsUnknown_AndEachPageIsReservedAtTheDearestExtractAndParse()
    {
        // The service runs it at a default no source states: reserving it at a guessed tier would let a cap be
        // passed if the default is dearer (docs/costs.md, "Tier of a configuration").
        var tier = TierResolver.FromRemote(Saved("""{"product_type":"extract_v2","data_schema":{}}"""));

        Assert.False(tier.Known);
        Assert.Equal(50 + 45, Prices.CreditsPerPage(tier));
    }

    [Fact]
    public void AnExtractConfigurationNamingItsTier_IsPricedAtIt_AndParsesAtItsParseTierOrTheSame()
    {
        var same = TierResolver.FromRemote(Saved("""{"product_type":"extract_v2","data_schema":{},"tier":"agentic"}"""));
        var cheaperParse = TierResolver.FromRemote(Saved("""{"product_type":"extract_v2","data_schema":{},"tier":"agentic","parse_tier":"fast"}"""));

        Assert.Equal(("agentic", true, 15 + 10m), (same.Tier, same.Known, Prices.CreditsPerPage(same)));
        Assert.Equal(15 + 1, Prices.CreditsPerPage(cheaperParse));
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
