using BatchOrchestrator.Core.Batches;

namespace BatchOrchestrator.Core.Sources;

/// <summary>One watched folder and what to do with its files (an item of the "Sources" array).</summary>
public sealed class SourceOptions
{
    /// <summary>Unique name; used in ids, logs and remote directory names. Letters, digits, '-' and '_'.</summary>
    public string Name { get; set; } = "";

    /// <summary>The local folder to scan, recursively.</summary>
    public string Path { get; set; } = "";

    /// <summary>Globs (relative to <see cref="Path"/>) a file must match to be taken.</summary>
    public List<string> Include { get; set; } = [];

    /// <summary>Globs that exclude a file even when it matches <see cref="Include"/>.</summary>
    public List<string> Exclude { get; set; } = [];

    /// <summary>Cron expression (5 fields, or 6 with seconds) for scheduled runs. Nightly at 02:00 by default.</summary>
    public string Schedule { get; set; } = "0 2 * * *";

    /// <summary>IANA or Windows time zone id the schedule is read in.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary><c>parse_v2</c> or <c>extract_v2</c>.</summary>
    public string JobType { get; set; } = "parse_v2";

    /// <summary>A saved configuration id (<c>cfg-…</c>) or a built-in preset such as <c>cfg-PARSE_AGENTIC</c>.</summary>
    public string ConfigurationId { get; set; } = "cfg-PARSE_AGENTIC";

    /// <summary>A file is taken only once its size and mtime stayed unchanged for this long.</summary>
    public TimeSpan SettleWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Start a run soon after file-system events (a hint only; the schedule still scans).</summary>
    public bool Watch { get; set; } = true;

    /// <summary>
    /// Create <see cref="Path"/> at start-up when it is missing (the demo inbox). Off by default: for a
    /// real source a missing folder usually means a missing mount, and start-up should say so.
    /// </summary>
    public bool CreateIfMissing { get; set; }

    /// <summary>
    /// Batches a file version may end in before a failure is final. Transient and throttled failures
    /// are taken again by the next run's planning while below this; permanent ones never are.
    /// </summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>For the v1 job types: run the job over the batch's whole remote directory or over its files' ids.</summary>
    public V1Scope V1Scope { get; set; } = V1Scope.Directory;

    /// <summary>For <c>v1_classify</c>: the document types to choose from.</summary>
    public List<ClassifyRuleOptions> ClassifyRules { get; set; } = [];

    /// <summary>Follow-up sinks for this source by name; empty means <c>FollowUp:Sinks</c>.</summary>
    public List<string> FollowUpSinks { get; set; } = [];

    /// <summary>Where the FileSystem sink mirrors this source's tree; empty means <c>FollowUp:OutputPath</c>/&lt;source name&gt;.</summary>
    public string? OutputPath { get; set; }

    /// <summary>The patterns always ignored: files still being written by common tools.</summary>
    internal static readonly string[] TemporaryNamePatterns = ["**/*.tmp", "**/~$*", "**/*.partial", "**/.~lock.*#"];

    /// <summary>The parsed job type (validated at start-up).</summary>
    internal BatchJobType ParsedJobType => BatchJobTypes.Parse(JobType)
        ?? throw new InvalidOperationException($"Unknown job type '{JobType}'");
}
