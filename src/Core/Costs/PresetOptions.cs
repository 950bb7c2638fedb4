namespace BatchOrchestrator.Core.Costs;

/// <summary>A built-in preset's job type and tier ("Costs:Presets:&lt;id&gt;").</summary>
public sealed class PresetOptions
{
    /// <summary><c>parse_v2</c> or <c>extract_v2</c>.</summary>
    public string JobType { get; set; } = "parse_v2";

    /// <summary>A tier of <see cref="CostOptions.CreditsPerPage"/> for that job type.</summary>
    public string Tier { get; set; } = "";
}
