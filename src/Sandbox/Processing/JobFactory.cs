using BatchOrchestrator.Sandbox.Extract;
using BatchOrchestrator.Sandbox.Faults;
using BatchOrchestrator.Sandbox.Parse;
using BatchOrchestrator.Sandbox.Webhooks;

namespace BatchOrchestrator.Sandbox.Processing;

/// <summary>
/// Creates parse and extract jobs for batches, the job endpoints and v1 items, with their
/// outcome decided up front from the seeded faults. Call under the state lock.
/// </summary>
internal sealed class JobFactory(SandboxState state, SandboxOptions options, FaultState faults, SandboxCounters counters, WebhookDispatcher webhooks)
{
    private static readonly string[] DefaultUnsupported = [".exe", ".dll", ".zip", ".bin", ".iso", ".dmg"];

    /// <summary>Why a file cannot become a job (a batch result's error_message), or null.</summary>
    public string? UnmappableReason(StoredContent content)
    {
        if (content.Bytes.Length == 0)
        {
            return "File is empty (0 bytes)";
        }

        var unsupported = options.UnsupportedExtensions ?? DefaultUnsupported;
        return unsupported.Contains(content.Extension, StringComparer.OrdinalIgnoreCase)
            ? $"Unsupported file type: {content.Extension}"
            : null;
    }

    /// <summary>
    /// How a job over this file will fail, decided at its creation: a seeded fault first, else a file that is not
    /// the document its name says (<see cref="SandboxGuesses.FailUnreadablePdf"/>); null when it will succeed.
    /// </summary>
    public string? PlannedFailure(StoredContent source, string displayName) =>
        faults.FileFailure(displayName)
        ?? (options.Guesses.FailUnreadablePdf && source.Extension == ".pdf" && source.Bytes.AsSpan(0, Math.Min(source.Bytes.Length, 1024)).IndexOf("%PDF-"u8) < 0
            ? $"Failed to parse the file: {source.FileName} is corrupt or not a PDF (no %PDF- header)"
            : null);

    public ParseJobRecord CreateParse(string projectId, StoredContent source, string displayName, string tier, string? configurationId, IReadOnlyDictionary<string, string>? userMetadata, IReadOnlyList<WebhookTarget> targets)
    {
        var now = state.Now;
        var job = new ParseJobRecord
        {
            Sequence = state.NextSequence(),
            Id = Ids.ParseJob(),
            ProjectId = projectId,
            Source = source,
            Tier = tier,
            ConfigurationId = configurationId,
            UserMetadata = userMetadata,
            ExtraCreditsPerPage = ConfidenceScoredHigh(projectId, configurationId) ? 5 : 0,
            RuleTiers = SavedProcessing(projectId, configurationId) is { } processing ? [.. Billing.AutoModeRules.MatchingTiers(processing, displayName)] : [],
            PlannedFailure = PlannedFailure(source, displayName),
            PlannedEmpty = faults.EmptyResult(displayName),
            PlannedFailedPages = faults.FailedPages(displayName),
            UsageUnrecordedReads = options.Guesses.UsageRecordedAfterReads,
            Webhooks = targets,
            LastStep = state.Step,
            CreatedAt = now,
            UpdatedAt = now,
        };
        state.ParseJobs.Add(job);
        counters.Add(Counter.ParseJobsCreated);
        webhooks.Publish(job.Id, WebhookEvents.For("parse", job.Status), () => JsonSerializer.SerializeToElement(job.ToDto(false), Json.SandboxJsonContext.Default.ParseJobDto), targets, terminal: false);
        return job;
    }

    public ExtractJobRecord CreateExtract(string projectId, StoredContent source, string displayName, string fileInput, string? configurationId, JsonElement configuration, IReadOnlyList<WebhookTarget> targets)
    {
        var now = state.Now;
        var job = new ExtractJobRecord
        {
            Sequence = state.NextSequence(),
            Id = Ids.ExtractJob(),
            ProjectId = projectId,
            Source = source,
            FileInput = fileInput,
            ConfigurationId = configurationId,
            Configuration = configuration,
            PlannedFailure = PlannedFailure(source, displayName),
            PlannedEmpty = faults.EmptyResult(displayName),
            UsageUnrecordedReads = options.Guesses.UsageRecordedAfterReads,
            Webhooks = targets,
            LastStep = state.Step,
            CreatedAt = now,
            UpdatedAt = now,
        };
        state.ExtractJobs.Add(job);
        counters.Add(Counter.ExtractJobsCreated);
        webhooks.Publish(job.Id, WebhookEvents.For("extract", job.Status), () => JsonSerializer.SerializeToElement(job.ToDto([]), Json.SandboxJsonContext.Default.ExtractJobDto), targets, terminal: false);
        return job;
    }

    /// <summary>Whether the saved parse configuration a job runs with scores confidence high, which the service bills per page.</summary>
    private bool ConfidenceScoredHigh(string projectId, string? configurationId) =>
        SavedProcessing(projectId, configurationId) is { } processing
        && processing.TryGetProperty("confidence_score_effort", out var effort) && effort.ValueKind == JsonValueKind.String && effort.GetString() == "high";

    /// <summary>The <c>processing_options</c> of the saved parse configuration a job runs with, if it has them.</summary>
    private JsonElement? SavedProcessing(string projectId, string? configurationId) =>
        configurationId is not null && state.Configurations.TryGet(projectId, configurationId, out var saved) && saved.ProductType == "parse_v2"
        && saved.Parameters.TryGetProperty("processing_options", out var processing) && processing.ValueKind == JsonValueKind.Object
            ? processing : null;
}
