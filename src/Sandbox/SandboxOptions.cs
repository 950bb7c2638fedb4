namespace BatchOrchestrator.Sandbox;

/// <summary>
/// How the Sandbox behaves: auth, simulated processing pace, limits and faults.
/// Bound from the "Sandbox" configuration section when hosted by the Worker or run standalone.
/// </summary>
public sealed class SandboxOptions
{
    /// <summary>Bearer key every /api request must carry; null or empty accepts any request.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Port on 127.0.0.1 to listen on; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Time between simulated processing steps (batch status changes, job completion).</summary>
    public TimeSpan StepDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// No timer: the simulated back end moves only when asked (<c>POST /_sandbox/step</c>), so a test that
    /// drives it decides exactly what the API reports at each poll (a seeded model test, a state that
    /// must not be skipped).
    /// </summary>
    public bool ManualSteps { get; set; }

    /// <summary>
    /// The key's own project: where a request without <c>project_id</c> acts. Resources live in the
    /// project they were created in and are seen only from there (responses carry it as <c>project_id</c>).
    /// </summary>
    public string DefaultProjectId { get; set; } = "prj-00000000-0000-4000-8000-000000000001";

    /// <summary>Projects the key may reach besides its own; null or empty: any well-formed project id.</summary>
    public IList<string>? AllowedProjectIds { get; set; }

    /// <summary>The key's organisation; when set, a request naming another <c>organization_id</c> is refused (403).</summary>
    public string? OrganizationId { get; set; }

    /// <summary>Seed for every random choice (faults, per-file failures), so a run is reproducible.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Batches allowed in RUNNING at once per project; further batches wait in THROTTLED. 0 means no cap.</summary>
    public int MaxConcurrentBatches { get; set; } = 10;

    /// <summary>Files a RUNNING batch maps to jobs per step.</summary>
    public int FilesMappedPerStep { get; set; } = 100;

    /// <summary>Steps a parse/extract job spends RUNNING before it finishes.</summary>
    public int JobRunningSteps { get; set; } = 1;

    /// <summary>Most files a batch may cover; docs/llamacloud-api.md §1.4 documents 1,000.</summary>
    public int MaxBatchFiles { get; set; } = 1000;

    /// <summary>Largest accepted upload; the platform limit is 512 MB (docs/llamacloud-api.md §1.4).</summary>
    public long MaxUploadBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Lines per page when a text file has no form feeds to split pages on.</summary>
    public int LinesPerPage { get; set; } = 50;

    /// <summary>Expiry given to ephemeral directories (the default TTL is undocumented; a create's params name no <c>expires_at</c>).</summary>
    public TimeSpan EphemeralDirectoryTtl { get; set; } = TimeSpan.FromDays(2);

    /// <summary>
    /// Built-in parse presets usable as <c>configuration_id</c> for parse_v2, mapped to their tier. Only
    /// cfg-PARSE_AGENTIC is documented (docs/llamacloud-api.md §8); add others here, or accept the ones
    /// guessed from the tier names with <see cref="SandboxGuesses.AcceptUndocumentedPresets"/>.
    /// </summary>
    public IDictionary<string, string> ParsePresets { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["cfg-PARSE_AGENTIC"] = "agentic",
    };

    /// <summary>Answers where the service's behaviour is not documented (status codes, optional fields, v1 classify ids).</summary>
    public SandboxGuesses Guesses { get; set; } = new();

    /// <summary>Extensions a batch cannot map to a job (the file gets an error_message); null uses .exe .dll .zip .bin .iso .dmg.</summary>
    public IList<string>? UnsupportedExtensions { get; set; }

    /// <summary>Accept any cfg-… id for extract_v2 batches, not only saved extract configurations.</summary>
    public bool AllowUnsavedExtractConfigurations { get; set; }

    /// <summary>
    /// The tier a v1 parse job that names none is billed at: the service's default mode, whose price no source
    /// states (docs/llamacloud-api.md §3.2). The guess is agentic, the tier of the default v2 preset.
    /// </summary>
    public string V1ParseDefaultTier { get; set; } = "agentic";

    /// <summary>v1 batch items larger than this are skipped with <c>size_limit_exceeded</c>.</summary>
    public long V1ItemSizeLimitBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Attempts per webhook delivery before it is given up.</summary>
    public int WebhookMaxAttempts { get; set; } = 5;

    /// <summary>Delay before the first webhook retry; doubled on each further attempt.</summary>
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Time a webhook receiver has to answer.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Rate limits per route group (uploads, batch_creates, job_creates, other), each counted per project;
    /// a PermitLimit of 0 disables one. Uploads default to the documented 50 per 5 s per project
    /// (docs/llamacloud-api.md §1.4).
    /// </summary>
    public IDictionary<string, SandboxRateLimit> RateLimits { get; } = new Dictionary<string, SandboxRateLimit>(StringComparer.Ordinal)
    {
        ["uploads"] = new SandboxRateLimit { PermitLimit = 50, Window = TimeSpan.FromSeconds(5) },
    };

    /// <summary>Faults active from start-up; change them at run time with POST /_sandbox/faults.</summary>
    public SandboxFaults Faults { get; set; } = new();

    /// <summary>
    /// A finite credit balance: once jobs have billed this many credits, batch and job creates answer 402.
    /// Null (the default) is unlimited. Also set at run time with <c>POST /_sandbox/credits</c>.
    /// </summary>
    public decimal? CreditBalance { get; set; }
}
