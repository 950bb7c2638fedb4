using System.Text.Json.Nodes;
using BatchOrchestrator.Sandbox.Parse;

namespace BatchOrchestrator.Sandbox.Extract;

/// <summary>An extract v2 job (docs/llamacloud-api.md §7).</summary>
internal sealed class ExtractJobRecord : SimulatedJob
{
    /// <summary>
    /// <c>ExtractConfiguration</c>'s fields (TS SDK 2.16.0 <c>resources/extract.d.ts</c>), the type of a job's
    /// <c>configuration</c>: a saved configuration's parameters add <c>product_type</c>, and an inline one may carry
    /// fields the create ignored, and FastAPI answers with the response model's fields alone (src/Sandbox/README.md).
    /// </summary>
    private static readonly HashSet<string> ConfigurationFields = new(StringComparer.Ordinal)
    {
        "data_schema", "cite_sources", "confidence_scores", "disable_cache", "extraction_target", "max_pages", "parse_config_id",
        "parse_tier", "sheet_names", "spreadsheet_mode", "system_prompt", "target_pages", "tier", "version",
    };

    public required string FileInput { get; init; }

    public string? ConfigurationId { get; init; }

    /// <summary>The extract configuration in force (saved parameters or the inline one).</summary>
    public required JsonElement Configuration { get; init; }

    public JsonNode? Result { get; set; }

    public int PagesExtracted { get; set; }

    public override string Product => "extract";

    /// <summary>The configuration's tier; agentic when it names none (a guess: no source gives the default).</summary>
    public string Tier => Configuration.TryGetProperty("tier", out var tier) && tier.ValueKind == JsonValueKind.String ? tier.GetString()! : "agentic";

    /// <summary>The tier its parse runs at: <c>parse_tier</c>, else the extract tier (docs/llamacloud-api.md §1.7).</summary>
    public string? ParseTier => Configuration.TryGetProperty("parse_tier", out var tier) && tier.ValueKind == JsonValueKind.String ? tier.GetString() : null;

    public decimal? BilledExtractCredits { get; set; }

    public decimal? BilledParseCredits { get; set; }

    public ExtractJobDto ToDto(IReadOnlyCollection<string> expand)
    {
        var done = Status == JobStatus.Completed;
        return new ExtractJobDto(
            Id,
            ProjectId,
            FileInput,
            Status,
            ConfigurationId,
            ErrorMessage,
            done ? Result?.DeepClone() : null,
            expand.Contains("extract_metadata") && done ? new ExtractMetadataDto(new JsonObject(), null, BilledTier ?? Tier) : null,
            done ? new ExtractJobMetadataDto(new ExtractUsageMetricsDto(PagesExtracted, BilledPages ?? PagesExtracted)) : null,
            expand.Contains("usage") && done ? new ExtractUsageDto((double)(BilledCredits ?? 0), (double)(BilledExtractCredits ?? 0), (double)(BilledParseCredits ?? 0)) : null,
            expand.Contains("configuration") ? Answered(Configuration) : null,
            CreatedAt,
            UpdatedAt);
    }

    /// <summary>The configuration in force as <c>ExtractConfiguration</c> types it: its own fields, in the order they were sent.</summary>
    private static JsonObject Answered(JsonElement configuration)
    {
        var answer = new JsonObject();
        foreach (var property in configuration.EnumerateObject().Where(p => ConfigurationFields.Contains(p.Name)))
        {
            answer[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }

        return answer;
    }
}
