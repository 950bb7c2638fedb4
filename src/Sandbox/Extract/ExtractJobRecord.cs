using System.Text.Json.Nodes;
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

    public string Tier => Configuration.TryGetProperty("tier", out var tier) && tier.ValueKind == JsonValueKind.String ? tier.GetString()! : "agentic";

    public ExtractJobDto ToDto(IReadOnlyCollection<string> expand)
    {
        var done = Status == JobStatus.Completed;
        var perPage = Tier switch { "cost_effective" => 5, "agentic_plus" => 50, "turbo" => 35, _ => 15 };
        return new ExtractJobDto(
            Id,
            ProjectId,
            FileInput,
            Status,
            ConfigurationId,
            ErrorMessage,
            done ? Result?.DeepClone() : null,
            expand.Contains("extract_metadata") && done ? new ExtractMetadataDto(new JsonObject(), null, Tier) : null,
            done ? new ExtractJobMetadataDto(new ExtractUsageMetricsDto(PagesExtracted, PagesExtracted)) : null,
            expand.Contains("usage") && done ? new ExtractUsageDto(perPage * PagesExtracted, perPage * PagesExtracted, 0) : null,
            expand.Contains("configuration") ? Configuration : null,
            CreatedAt,
            UpdatedAt);
    }
}
