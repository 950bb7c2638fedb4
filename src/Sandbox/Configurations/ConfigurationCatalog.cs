namespace BatchOrchestrator.Sandbox.Configurations;

/// <summary>
/// Resolves a configuration_id for a job type: a built-in parse preset, or a saved configuration
/// of the same product type in the request's project. There are no extract presets (docs/llamacloud-api.md §8).
/// Call under the state lock.
/// </summary>
internal sealed class ConfigurationCatalog(SandboxState state, SandboxOptions options)
{
    /// <summary>Preset ids guessed from the tier names; no source documents them (docs/llamacloud-api.md §8, §11.4).</summary>
    private static readonly Dictionary<string, string> UndocumentedPresets = new(StringComparer.Ordinal)
    {
        ["cfg-PARSE_FAST"] = "fast",
        ["cfg-PARSE_COST_EFFECTIVE"] = "cost_effective",
        ["cfg-PARSE_AGENTIC_PLUS"] = "agentic_plus",
    };

    public bool IsPreset(string id) => PresetTier(id) is not null;

    /// <summary>The tier a parse_v2 configuration parses at, or null when the id is not a parse configuration.</summary>
    public string? ParseTier(string projectId, string configurationId)
    {
        if (PresetTier(configurationId) is { } tier)
        {
            return tier;
        }

        return SavedParse(projectId, configurationId) is { } saved
            ? (StringField(saved, "tier") ?? "agentic")
            : null;
    }

    /// <summary>
    /// The version a saved parse_v2 configuration pins, or null: a preset's is documented nowhere, and a configuration
    /// saved without one leaves it to the request.
    /// </summary>
    public string? ParseVersion(string projectId, string configurationId) =>
        PresetTier(configurationId) is null && SavedParse(projectId, configurationId) is { } saved ? StringField(saved, "version") : null;

    /// <summary>The extract parameters of a saved extract_v2 configuration, or null when there is none.</summary>
    public JsonElement? ExtractParameters(string projectId, string configurationId)
    {
        if (state.Configurations.TryGet(projectId, configurationId, out var saved) && saved.ProductType == "extract_v2")
        {
            return saved.Parameters;
        }

        return options.AllowUnsavedExtractConfigurations && configurationId.StartsWith("cfg-", StringComparison.Ordinal)
            ? Json.EmptyJson.Object
            : null;
    }

    /// <summary>
    /// Refuses an extract configuration whose <c>parse_config_id</c> names no parse configuration of the project
    /// (<see cref="SandboxGuesses.RefuseUnknownParseConfigId"/>, a guess). The rest of its shape is checked before, without the state.
    /// </summary>
    public void CheckParseConfigId(string projectId, JsonElement extract, BodyValidator v, params object[] loc)
    {
        if (options.Guesses.RefuseUnknownParseConfigId && extract.ValueKind == JsonValueKind.Object
            && extract.TryGetProperty("parse_config_id", out var id) && id.ValueKind == JsonValueKind.String && ParseTier(projectId, id.GetString()!) is null)
        {
            v.Add("value_error", $"Parse configuration '{id.GetString()}' not found", [.. loc, "parse_config_id"]);
        }
    }

    /// <summary>The parameters of a saved parse_v2 configuration of the project, or null.</summary>
    private JsonElement? SavedParse(string projectId, string configurationId) =>
        state.Configurations.TryGet(projectId, configurationId, out var saved) && saved.ProductType == "parse_v2" ? saved.Parameters : null;

    private static string? StringField(JsonElement parameters, string name) =>
        parameters.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private string? PresetTier(string id) =>
        options.ParsePresets.TryGetValue(id, out var tier) ? tier
        : options.Guesses.AcceptUndocumentedPresets && UndocumentedPresets.TryGetValue(id, out var guessed) ? guessed
        : null;
}
