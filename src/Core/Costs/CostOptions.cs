using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Costs;

/// <summary>
/// The price model and the spending caps ("Costs" section; docs/costs.md). Every figure can be
/// overridden; the defaults are LlamaCloud's public figures (docs/llamacloud-api.md §1.7).
/// </summary>
public sealed class CostOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Costs";

    /// <summary>
    /// Dollars per 1,000 credits beyond a plan's allowance: 1.25 (pay-as-you-go, the LlamaCloud FAQ;
    /// docs/llamacloud-api.md §1.7).
    /// </summary>
    public decimal UsdPer1000Credits { get; set; } = 1.25m;

    /// <summary>
    /// Credits per page by job type, then tier. parse_v2: fast 1, cost_effective 3, agentic 10,
    /// agentic_plus 45 (the public pricing page; docs/llamacloud-api.md §1.7). extract_v2: cost_effective 5,
    /// agentic 15, agentic_plus 50, turbo 35 (SDK 2.16.0 <c>resources/extract.d.ts</c>,
    /// <c>ExtractConfiguration.tier</c>; §1.7). v1_parse: the parse tiers, which a v1 source asks for with
    /// <c>V1ParseTier</c>; one that asks for none is estimated at the dearest. v1_classify has no tiers in any
    /// source: one "default" at 1, a guess.
    /// </summary>
    public Dictionary<string, Dictionary<string, decimal>> CreditsPerPage { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["parse_v2"] = Tiers(ParseTiers),
        ["extract_v2"] = Tiers(("cost_effective", 5), ("agentic", 15), ("agentic_plus", 50), ("turbo", 35)),
        ["v1_parse"] = Tiers(ParseTiers),
        ["v1_classify"] = Tiers((V1Tier, 1)),
    };

    /// <summary>
    /// Built-in presets by id, with their job type and tier. Only <c>cfg-PARSE_AGENTIC</c> is documented
    /// (docs/llamacloud-api.md §8); add the others your account has here. Any other id is read from the
    /// API once and cached.
    /// </summary>
    public Dictionary<string, PresetOptions> Presets { get; set; } = new(StringComparer.Ordinal)
    {
        ["cfg-PARSE_AGENTIC"] = new() { JobType = "parse_v2", Tier = "agentic" },
    };

    /// <summary>
    /// An extract job parses first at its parse tier (docs/llamacloud-api.md §1.7) and reports
    /// <c>parse_credits</c> beside <c>extract_credits</c>: estimate both (true), or the extract tier alone.
    /// </summary>
    public bool ExtractBillsParse { get; set; } = true;

    /// <summary>IANA or Windows time zone id in which days and calendar months of caps begin.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Spending caps in credits, per source or for all of them, per run, day or calendar month.</summary>
    public List<CapOptions> Caps { get; set; } = [];

    /// <summary>A job reference billed above this multiple of its estimate is flagged as drift.</summary>
    public decimal DriftFactor { get; set; } = 1.25m;

    /// <summary>
    /// What each option of a saved configuration that the SDK names no price for (a parse's chart parsing or form
    /// enrichment, an extract's citations or confidence scores) is reserved at, per page, on top of its tier: a guess
    /// (docs/costs.md, "Tier of a configuration"). The default is a page at the dearest parse tier, an extra AI pass
    /// taken to cost no more than a whole parse at agentic_plus; 0 estimates such options as free.
    /// </summary>
    public decimal UnpricedOptionCreditsPerPage { get; set; } = 45m;

    /// <summary>
    /// A preview (plan, reprocess) takes a saved configuration's cached tier for this long before reading the API again;
    /// planning, which reserves against the caps, reads it every time.
    /// </summary>
    public TimeSpan ConfigurationRecheck { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long counting one document's pages may take (docs/costs.md, "Pages"): past it the document gets the size rule
    /// and the scan goes on. An ordinary document of hundreds of pages takes under a second; a damaged or crafted one can
    /// take minutes or never end.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore] // no price: changing it gives held files no new figures (Fingerprint)
    public TimeSpan PageCountTimeout { get; set; } = PageReading.DefaultTimeLimit;

    /// <summary>The tier name of the v1 job types, which have none of their own.</summary>
    public const string V1Tier = "default";

    /// <summary>The section as bound (defaults included), hashed: equal for equal figures, different when any of them changed.</summary>
    internal string Fingerprint() =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(this))));

    // The parse tiers' prices, which a v1 parse job asks for by the same names (V1ParseTiers).
    private static readonly (string Tier, decimal Credits)[] ParseTiers = [("fast", 1), ("cost_effective", 3), ("agentic", 10), ("agentic_plus", 45)];

    private static Dictionary<string, decimal> Tiers(params (string Tier, decimal Credits)[] tiers) =>
        tiers.ToDictionary(t => t.Tier, t => t.Credits, StringComparer.OrdinalIgnoreCase);
}
