using System.Text.Json.Nodes;
using BatchOrchestrator.Sandbox.Configurations;
using BatchOrchestrator.Sandbox.Parse;

namespace BatchOrchestrator.Sandbox.Extract;

/// <summary>An extract v2 job (docs/llamacloud-api.md §7).</summary>
internal sealed class ExtractJobRecord : SimulatedJob
{
    public required string FileInput { get; init; }

    public string? ConfigurationId { get; init; }

    /// <summary>The extract configuration in force (saved parameters or the inline one).</summary>
    public required JsonElement Configuration { get; init; }

    public JsonNode? Result { get; set; }

    public int PagesExtracted { get; set; }

    public override string Product => "extract";

    /// <summary>The configuration's tier; agentic when it names none (a guess: no source gives the default).</summary>
    public string Tier => Configuration.TryGetProperty("tier", out var tier) && tier.ValueKind == JsonValueKind.String ? tier.GetString()! : "agentic";

    /// <summary>The configuration's <c>parse_tier</c>, if it names one; billing parses at the extract tier otherwise (docs/llamacloud-api.md §1.7).</summary>
    public string? ParseTier => Configuration.TryGetProperty("parse_tier", out var tier) && tier.ValueKind == JsonValueKind.String ? tier.GetString() : null;

    /// <summary>
    /// The parse tier the job parsed at, as <c>extract_metadata.parse_tier</c> reports it: its <c>parse_tier</c>, else its
    /// extract tier ("Defaults to the extract tier"); none for turbo, which "does not … produce a parse output" (SDK extract.ts).
    /// </summary>
    private string? ParsedAtTier => ParseTier ?? (Tier == "turbo" ? null : Tier);

    public decimal? BilledExtractCredits { get; set; }

    public decimal? BilledParseCredits { get; set; }

    /// <summary>What it billed once billing recorded it (<c>Sandbox:Guesses:UsageRecordedAfterReads</c>): nulls before.</summary>
    private ExtractUsageDto Usage() => UsageRecordedOnThisRead()
        ? new ExtractUsageDto((double)(BilledCredits ?? 0), (double)(BilledExtractCredits ?? 0), (double)(BilledParseCredits ?? 0))
        : new ExtractUsageDto(null, null, null);

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
            expand.Contains("extract_metadata") && done ? new ExtractMetadataDto(new JsonObject(), null, ParsedAtTier) : null,
            done ? new ExtractJobMetadataDto(new ExtractUsageMetricsDto(PagesExtracted, BilledPages ?? PagesExtracted)) : null,
            expand.Contains("usage") && (done || Status == JobStatus.Failed) ? Usage() : null,
            expand.Contains("configuration") ? (JsonObject)StoredParameters.ExtractConfiguration.Keep(Configuration)! : null, // no saved product_type
            CreatedAt,
            UpdatedAt);
    }
}
