namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>A parse v2 job (docs/llamacloud-api.md §6).</summary>
internal sealed class ParseJobRecord : SimulatedJob
{
    public required string Tier { get; init; }

    public string? Name { get; init; }

    public string? ConfigurationId { get; init; }

    public IReadOnlyDictionary<string, string>? UserMetadata { get; init; }

    public override string Product => "parse";

    /// <summary>Built once, on first read after completion; the source is immutable.</summary>
    public ParseOutput? Output { get; set; }

    public ParseJobDto ToDto(bool expandUsage)
        => new(Id, ProjectId, Status, Name, Tier, ErrorMessage, UserMetadata, expandUsage ? new ParseUsageDto(Status == JobStatus.Completed ? Credits() : null) : null, CreatedAt, UpdatedAt);

    /// <summary>Credits per page by tier, roughly LlamaParse's published prices.</summary>
    private double Credits()
    {
        var perPage = Tier switch { "fast" => 1, "cost_effective" => 3, "agentic_plus" => 45, _ => 10 };
        return perPage * (Output?.Pages.Count ?? 1);
    }
}
