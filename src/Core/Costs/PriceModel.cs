namespace BatchOrchestrator.Core.Costs;

/// <summary>Credits per page of a resolved tier, and credits in dollars, by the configured price model (docs/costs.md).</summary>
internal sealed class PriceModel(IOptionsMonitor<CostOptions> options)
{
    /// <summary>
    /// Credits one page costs. An extract job adds its parse tier's price unless it is turbo, which does not
    /// parse (docs/llamacloud-api.md §1.7), or <see cref="CostOptions.ExtractBillsParse"/> is off. An
    /// unknown tier costs the dearest of its job type; a job type without a price table (a tier cached under a
    /// saved configuration's own product type), the dearest page of any table: never nothing, which no cap holds.
    /// A page is priced at the dearest of the tier and the tiers auto-mode rules may parse it at, plus what the
    /// configuration's options bill per page (<see cref="ConfigurationTier.ExtraCreditsPerPage"/>).
    /// </summary>
    public decimal CreditsPerPage(ConfigurationTier tier)
    {
        var settings = options.CurrentValue;
        if (!settings.CreditsPerPage.TryGetValue(tier.JobType, out var table) || table.Count == 0)
        {
            return settings.CreditsPerPage.Values.Where(t => t is { Count: > 0 }).Select(t => t.Values.Max()).DefaultIfEmpty(0).Max() + tier.ExtraCreditsPerPage;
        }

        var own = tier.Known && table.TryGetValue(tier.Tier, out var credits) ? credits : table.Values.Max();
        foreach (var other in tier.PageTiers ?? [])
        {
            // Which pages a rule matches is learnt only by parsing them: every page may be one of them.
            own = Math.Max(own, table.TryGetValue(other, out var otherCredits) ? otherCredits : table.Values.Max());
        }

        own += tier.ExtraCreditsPerPage;
        if (tier.JobType != "extract_v2" || !settings.ExtractBillsParse || tier.Tier == "turbo")
        {
            return own;
        }

        var parse = settings.CreditsPerPage.GetValueOrDefault("parse_v2");
        if (parse is null || parse.Count == 0)
        {
            return own;
        }

        return own + (tier.Known && parse.TryGetValue(tier.ParseTier ?? tier.Tier, out var parseCredits) ? parseCredits : parse.Values.Max());
    }

    public decimal Estimate(ConfigurationTier tier, int pages) => CreditsPerPage(tier) * pages;

    public decimal Usd(decimal credits) => Math.Round(credits * options.CurrentValue.UsdPer1000Credits / 1000m, 2);

    public decimal DriftFactor => options.CurrentValue.DriftFactor;
}
