using System.Text.Json;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Costs;

/// <summary>
/// Resolves a configuration id to the tier it bills at (docs/costs.md, "Tiers"): a v1 source's is its settings' (<see cref="OfV1"/>);
/// a built-in preset is looked up in <see cref="CostOptions.Presets"/>; a saved configuration is read from
/// the API at each planning and cached in the database with its <c>version</c>; a preview takes the cache until
/// <see cref="CostOptions.ConfigurationRecheck"/> (or a job billed at another tier) makes it read again, and
/// either takes it when the API cannot be read. When nothing can say, the tier is unknown (estimated at the dearest).
/// </summary>
internal sealed class TierResolver(
    IOptionsMonitor<CostOptions> options, IConfigurationTierStore store, IBatchApis apis, TimeProvider time, ILogger<TierResolver> logger)
{
    /// <summary>What <c>confidence_score_effort: 'high'</c> adds to each page of a parse (docs/llamacloud-api.md §1.7).</summary>
    public const decimal HighConfidenceCreditsPerPage = 5m;

    private static readonly string[] UnpricedExtractOptions = ["cite_sources", "confidence_scores"];

    /// <summary>How a tier's basis names options whose price no source states (<see cref="UnpricedOptions"/>).</summary>
    public const string UnpricedNote = "no stated price";

    /// <summary>The parse tier of an extract that parses with a saved parse configuration: in no price table, so priced at the dearest.</summary>
    public const string UnknownParseTier = "unknown";

    /// <summary>
    /// The tier a v1 source's jobs bill at. v1_classify has one. v1_parse bills at the tier it asks for
    /// (<see cref="SourceOptions.V1ParseTier"/>); asking for none leaves the service's default mode, whose
    /// price no source states, so it is unknown and estimated at the dearest, as an unreadable configuration is.
    /// </summary>
    public static ConfigurationTier OfV1(SourceOptions source) => source switch
    {
        { JobType: BatchJobTypes.V1Parse, RequestedV1ParseTier: { } tier } => new ConfigurationTier(source.JobType, tier, null, true, null, "V1ParseTier"),
        { JobType: BatchJobTypes.V1Parse } =>
            ConfigurationTier.Unknown(source.JobType, "v1_parse without V1ParseTier: the service's default mode, whose price no source states"),
        _ => new ConfigurationTier(source.JobType, CostOptions.V1Tier, null, true, null, "v1 job type"),
    };

    /// <summary>
    /// The tier of <paramref name="configurationId"/> for <paramref name="jobType"/> in <paramref name="scope"/>.
    /// A preview (<paramref name="read"/>) reads the API when it must but writes nothing.
    /// </summary>
    public async Task<ConfigurationTier> ResolveAsync(ProjectScope scope, string jobType, string configurationId, PriceRead read, CancellationToken cancellationToken)
    {
        if (BatchJobTypes.IsV1(jobType))
        {
            throw new ArgumentException($"A v1 job type has no configuration to resolve; its tier is {nameof(OfV1)}'s", nameof(jobType));
        }

        if (options.CurrentValue.Presets.TryGetValue(configurationId, out var preset))
        {
            return new ConfigurationTier(preset.JobType, preset.Tier, null, true, null, "built-in preset (Costs:Presets)");
        }

        // Planning new versions reads the configuration every time: what it reserves is what a cap lets through, and a
        // configuration changed to a dearer tier since the cache was filled would be reserved at the old price for up to
        // ConfigurationRecheck, every batch planned meanwhile passing its caps at a fraction of its bill. A preview,
        // which reserves nothing, and a run that found nothing new take the cache within ConfigurationRecheck: an
        // unchanged tree asks the API nothing (docs/costs.md, "Tier of a configuration").
        var cached = await store.GetAsync(scope.Key, configurationId, cancellationToken);
        if (cached is not null && read != PriceRead.PlanningNewVersions && time.GetUtcNow() - cached.FetchedAt < options.CurrentValue.ConfigurationRecheck)
        {
            return cached.Tier;
        }

        RemoteConfiguration remote;
        try
        {
            remote = await apis.For(scope).GetConfigurationAsync(configurationId, cancellationToken);
        }
        catch (LlamaCloudException ex)
        {
            if (cached is not null)
            {
                return cached.Tier; // stale, but what we last knew; the next run tries again
            }

            logger.LogWarning(
                "Cannot read configuration {ConfigurationId} in project {Project} ({Reason}); its cost is estimated at the dearest {JobType} tier. A preset can be named in Costs:Presets",
                configurationId, scope.Key, ex.Message, jobType);
            return ConfigurationTier.Unknown(jobType, $"not readable from the API: {ex.Message}");
        }

        var tier = FromRemote(remote, jobType, options.CurrentValue.UnpricedOptionCreditsPerPage);
        if (tier.Basis.Contains(UnpricedNote, StringComparison.Ordinal) && cached?.Tier.Basis != tier.Basis)
        {
            // Once per change of what is read, not at every planning: a source scanned every minute would say it all day.
            logger.LogWarning(
                "Configuration {ConfigurationId} in project {Project} is {Basis}: each option whose price no source states is reserved at Costs:UnpricedOptionCreditsPerPage a page (docs/costs.md, \"Tier of a configuration\")",
                configurationId, scope.Key, tier.Basis);
        }

        if (cached is not null && cached.Tier.Version != tier.Version)
        {
            logger.LogInformation(
                "Configuration {ConfigurationId} changed (version {Old} -> {New}): now {JobType} at tier {Tier}",
                configurationId, cached.Tier.Version, tier.Version, tier.JobType, tier.Tier);
        }

        if (read != PriceRead.Preview)
        {
            await store.SaveAsync(scope.Key, configurationId, tier, time.GetUtcNow(), cancellationToken);
        }

        return tier;
    }

    /// <summary>
    /// A saved configuration's tier, as its parameters name it; an extract parses at its parse_tier or the same tier
    /// (docs/llamacloud-api.md §1.7). An extract that names no tier runs at the service's default, which no source
    /// states: unknown, so priced at the dearest (docs/costs.md, "Tier of a configuration"), as a v1 parse without one is.
    /// A configuration of a product type no price is kept for (<c>unknown</c>, <c>spreadsheet_v1</c>, …) is unknown at
    /// the dearest tier of <paramref name="jobType"/>, the job type the source sends it with: priced by its own type, it
    /// found no price table and cost nothing, so no cap held what it sent. An extract that parses with a saved parse
    /// configuration (<c>parse_config_id</c>) parses at that configuration's tier, which is not read: its parse is unknown.
    /// </summary>
    public static ConfigurationTier FromRemote(RemoteConfiguration remote, string jobType, decimal unpricedOptionCreditsPerPage)
    {
        var tier = Text(remote.Parameters, "tier");
        var basis = $"saved configuration, version {remote.Version}";
        var priced = remote.ProductType switch
        {
            "parse_v2" when tier is not null => ParseV2(remote, tier, basis),
            "extract_v2" when tier is not null && Text(remote.Parameters, "parse_config_id") is { } parseConfiguration =>
                new ConfigurationTier("extract_v2", tier, UnknownParseTier, true, remote.Version, $"{basis}: parses with saved configuration {parseConfiguration}, whose tier is not read"),
            "extract_v2" when tier is not null => new ConfigurationTier("extract_v2", tier, Text(remote.Parameters, "parse_tier"), true, remote.Version, basis),
            "extract_v2" => new ConfigurationTier("extract_v2", "unknown", null, false, remote.Version, $"{basis}: no tier, so the service's default, whose price no source states"),
            _ => new ConfigurationTier(jobType, "unknown", null, false, remote.Version, $"{basis}: product type {remote.ProductType}, whose price is not kept, sent as {jobType}"),
        };
        var unpriced = UnpricedOptions(remote);
        return unpriced.Count == 0 ? priced : priced with
        {
            ExtraCreditsPerPage = priced.ExtraCreditsPerPage + (unpriced.Count * unpricedOptionCreditsPerPage),
            Basis = $"{priced.Basis}; {string.Join(", ", unpriced)}: {UnpricedNote}, {unpricedOptionCreditsPerPage} credits a page more each",
        };
    }

    /// <summary>
    /// The options a saved configuration turns on that the SDK says cost something or run a pass of their own, but names no
    /// price for (docs/costs.md, "Guesses"): a parse's <c>specialized_chart_parsing</c> (at the top or in an auto-mode rule)
    /// and <c>forms: 'enrich'</c>, an extract's <c>cite_sources</c> and <c>confidence_scores</c>. Estimated as free, a cap
    /// would let their pages pass at less than they may bill.
    /// </summary>
    private static List<string> UnpricedOptions(RemoteConfiguration remote)
    {
        var found = new List<string>();
        var parameters = remote.Parameters;
        if (remote.ProductType == "parse_v2" && parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("processing_options", out var processing)
            && processing.ValueKind == JsonValueKind.Object)
        {
            var rules = processing.TryGetProperty("auto_mode_configuration", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(r => r.ValueKind == JsonValueKind.Object && r.TryGetProperty("parsing_conf", out var conf) ? conf : default)
                : [];
            if (Text(processing, "specialized_chart_parsing") is not null || rules.Any(conf => Text(conf, "specialized_chart_parsing") is not null))
            {
                found.Add("specialized_chart_parsing");
            }

            if (Text(processing, "forms") == "enrich")
            {
                found.Add("forms enrich");
            }
        }

        if (remote.ProductType == "extract_v2")
        {
            found.AddRange(UnpricedExtractOptions.Where(name =>
                parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var on) && on.ValueKind == JsonValueKind.True));
        }

        return found;
    }

    /// <summary>
    /// A saved parse configuration, priced beyond its tier where its options say so (SDK <c>ParseV2Parameters.ProcessingOptions</c>):
    /// the pages an auto-mode rule matches are parsed at the rule's own tier, and <c>confidence_score_effort: 'high'</c>
    /// "costs an additional 5 credits per page" (docs/llamacloud-api.md §1.7).
    /// </summary>
    private static ConfigurationTier ParseV2(RemoteConfiguration remote, string tier, string basis)
    {
        var processing = remote.Parameters.ValueKind == JsonValueKind.Object && remote.Parameters.TryGetProperty("processing_options", out var options)
            ? options : default;
        List<string> pageTiers = processing.ValueKind == JsonValueKind.Object && processing.TryGetProperty("auto_mode_configuration", out var rules) && rules.ValueKind == JsonValueKind.Array
            ? [.. rules.EnumerateArray()
                .Select(r => r.ValueKind == JsonValueKind.Object && r.TryGetProperty("parsing_conf", out var conf) ? Text(conf, "tier") : null)
                .OfType<string>().Where(t => t != tier).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]
            : [];
        var extra = Text(processing, "confidence_score_effort") == "high" ? HighConfidenceCreditsPerPage : 0;
        if (pageTiers.Count > 0)
        {
            basis += $"; auto-mode rules parse the pages they match at {string.Join(", ", pageTiers)}";
        }

        if (extra > 0)
        {
            basis += $"; confidence_score_effort high, {extra} credits a page more";
        }

        return new ConfigurationTier("parse_v2", tier, null, true, remote.Version, basis, pageTiers, extra);
    }

    private static string? Text(JsonElement parameters, string name) =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
