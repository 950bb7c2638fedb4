using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.Costs;

/// <summary>
/// Refuses a price model or cap that would make estimates or caps meaningless, naming the key: a
/// negative price, a price of zero while a cap is set, a tier table for no known job type, a preset of an unknown tier, a cap on a source
/// that is not configured or over a RemoteOnly source (none can hold it), an unknown time zone, and a source whose fallback configuration is a preset
/// of another job type. (A non-numeric price never gets here: binding refuses it, naming the key.)
/// </summary>
internal sealed class CostOptionsValidator(IOptions<SourcesOptions> sources) : IValidateOptions<CostOptions>
{
    private const string Section = CostOptions.SectionName;
    private static readonly TimeSpan MaxPageCountTimeout = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, CostOptions options)
    {
        var failures = new List<string>();
        if (options.UsdPer1000Credits < 0)
        {
            failures.Add($"{Section}:UsdPer1000Credits: {options.UsdPer1000Credits} must not be negative");
        }

        foreach (var (jobType, tiers) in options.CreditsPerPage)
        {
            if (BatchJobTypes.Parse(jobType) is null)
            {
                failures.Add($"{Section}:CreditsPerPage:{jobType}: is not a job type (parse_v2, extract_v2, v1_parse, v1_classify)");
            }

            if (tiers is null || tiers.Count == 0)
            {
                failures.Add($"{Section}:CreditsPerPage:{jobType}: needs at least one tier");
                continue;
            }

            foreach (var (tier, credits) in tiers.Where(t => t.Value < 0))
            {
                failures.Add($"{Section}:CreditsPerPage:{jobType}:{tier}: {credits} must not be negative");
            }

            // A cap holds a file by its estimate, before LlamaCloud bills it: at a price of nothing, the source's files
            // would pass every cap until their bills came in (docs/costs.md, "Caps and reservations").
            foreach (var (tier, credits) in tiers.Where(t => t.Value == 0 && options.Caps.Count > 0))
            {
                failures.Add($"{Section}:CreditsPerPage:{jobType}:{tier}: {credits} estimates every page at this tier at nothing, so no cap ({Section}:Caps) "
                    + "holds a file of it before LlamaCloud bills it; give the tier its price (docs/costs.md, \"Price model\")");
            }
        }

        foreach (var (id, preset) in options.Presets)
        {
            if (!options.CreditsPerPage.TryGetValue(preset.JobType ?? "", out var tiers) || !tiers.ContainsKey(preset.Tier ?? ""))
            {
                failures.Add($"{Section}:Presets:{id}: job type '{preset.JobType}' and tier '{preset.Tier}' are not in {Section}:CreditsPerPage");
            }
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone ?? "", out _))
        {
            failures.Add($"{Section}:TimeZone: '{options.TimeZone}' is not a known time zone id");
        }

        if (options.UnpricedOptionCreditsPerPage < 0)
        {
            failures.Add($"{Section}:UnpricedOptionCreditsPerPage: {options.UnpricedOptionCreditsPerPage} must not be negative");
        }

        if (options.DriftFactor < 1)
        {
            failures.Add($"{Section}:DriftFactor: {options.DriftFactor} must be at least 1");
        }

        if (options.PageCountTimeout <= TimeSpan.Zero || options.PageCountTimeout > MaxPageCountTimeout)
        {
            // Each count past it holds up its source's scan that long, with its reader left running (docs/costs.md, "Pages").
            failures.Add($"{Section}:PageCountTimeout: {options.PageCountTimeout} must be more than 0 and at most {MaxPageCountTimeout}");
        }

        if (options.ConfigurationRecheck < TimeSpan.Zero)
        {
            failures.Add($"{Section}:ConfigurationRecheck: must not be negative");
        }

        ValidateCaps(options, failures);
        ValidateFallbacks(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ValidateCaps(CostOptions options, List<string> failures)
    {
        // While the sources are invalid their names are not known for sure, so a cap's source is not checked against
        // them: a mistake elsewhere in Sources would otherwise read as this cap naming a source that is not configured.
        var names = sources.ValueIfValid()?.Sources.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var remoteOnly = Sources().Where(s => s.Layout == RemoteLayout.RemoteOnly).Select(s => s.Name).ToList();
        var seen = new Dictionary<(string, CapWindow), int>();
        for (var i = 0; i < options.Caps.Count; i++)
        {
            var cap = options.Caps[i];
            var key = $"{Section}:Caps:{i}";
            if (string.Equals(cap.Source?.Trim(), CapOptions.GlobalScope, StringComparison.OrdinalIgnoreCase))
            {
                // Spending is counted per scope, a source's name or this word for all sources together: a cap on a
                // source of that name would be read as the cap on every source, and its spending as theirs.
                failures.Add($"{key}:Source: '{cap.Source}' is the word caps use for all sources together; leave it empty for a cap on all sources, or rename the source it means (Sources:N:Name)");
            }
            else if (!string.IsNullOrWhiteSpace(cap.Source) && names is not null && !names.Contains(cap.Source))
            {
                failures.Add($"{key}:Source: '{cap.Source}' is not a configured source (Sources:N:Name); leave it empty for a cap on all sources");
            }

            // A RemoteOnly source's files are LlamaCloud's: neither listed with a size nor counted in pages here, so nothing
            // of it can be estimated or reserved, and a cap over it would be passed without a word (docs/costs.md).
            if (string.IsNullOrWhiteSpace(cap.Source) && remoteOnly.Count > 0)
            {
                failures.Add($"{key}:Source: empty (a cap on all sources), but {string.Join(", ", remoteOnly.Select(n => $"'{n}'"))} "
                    + $"{(remoteOnly.Count == 1 ? "is" : "are")} RemoteOnly, whose spending no cap can bound (nothing of it is estimated before LlamaCloud bills it); "
                    + $"cap the other sources one by one, or give {(remoteOnly.Count == 1 ? "it" : "each")} a local folder with Layout Mirror");
            }
            else if (remoteOnly.Contains(cap.Source!))
            {
                failures.Add($"{key}:Source: '{cap.Source}' is RemoteOnly, whose spending no cap can bound (nothing of it is estimated before LlamaCloud bills it); "
                    + "give it a local folder with Layout Mirror to cap it");
            }

            if (!Enum.IsDefined(cap.Window))
            {
                failures.Add($"{key}:Window: '{cap.Window}' must be Run, Day or Month");
            }

            if (cap.Credits <= 0)
            {
                failures.Add($"{key}:Credits: {cap.Credits} must be more than zero");
            }

            if (!seen.TryAdd((cap.Scope, cap.Window), i))
            {
                failures.Add($"{key}: a second {cap.Window} cap on {cap.Scope}, beside {Section}:Caps:{seen[(cap.Scope, cap.Window)]}");
            }
        }
    }

    /// <summary>
    /// A preset of another job type, as a source's configuration or its fallback: LlamaCloud refuses the batch only after
    /// its files were uploaded (and priced at the other job type's tier), so every one of them would end failed.
    /// </summary>
    private void ValidateFallbacks(CostOptions options, List<string> failures)
    {
        var list = Sources();
        for (var i = 0; i < list.Count; i++)
        {
            if (BatchJobTypes.IsV1(list[i].JobType))
            {
                continue; // a v1 job sends no configuration id
            }

            foreach (var (key, id) in new[] { ("ConfigurationId", list[i].ConfigurationId), ("FallbackConfigurationId", list[i].FallbackConfigurationId) })
            {
                if (!string.IsNullOrWhiteSpace(id) && options.Presets.TryGetValue(id, out var preset) && preset.JobType != list[i].JobType)
                {
                    failures.Add($"Sources:{i}:{key}: '{id}' is a preset of {preset.JobType}, but Sources:{i}:JobType is {list[i].JobType}");
                }
            }
        }
    }

    /// <summary>The configured sources; none when they are invalid themselves (their own validator names that, once).</summary>
    private List<SourceOptions> Sources() => sources.ValueIfValid()?.Sources ?? [];
}
