using BatchOrchestrator.Core.LlamaCloud;

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

    /// <summary>
    /// A second configuration of the same job type (e.g. a dearer tier) for files whose job failed or came
    /// back empty on <see cref="ConfigurationId"/>: each such file version is sent once more, in a batch of
    /// its own, with this one (docs/costs.md, "Cheap tier first"). Empty: no second attempt. PerRun only.
    /// </summary>
    public string? FallbackConfigurationId { get; set; }

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

    /// <summary>
    /// The source's weight when its uploads share their project's rate limit with other sources' (1 to 100):
    /// while two sources both upload, one of priority 8 gets eight uploads for each one of priority 1; a
    /// source with nothing to upload leaves its share to the others (docs/performance.md).
    /// </summary>
    public int Priority { get; set; } = 1;

    /// <summary>For the v1 job types: run the job over the batch's whole remote directory or over its files' ids.</summary>
    public V1Scope V1Scope { get; set; } = V1Scope.Directory;

    /// <summary>
    /// For the v1 job types in directory scope: files per page the job reads (<c>page_size</c>); empty leaves
    /// it to the service, whose default is not documented (docs/llamacloud-api.md §3.2).
    /// </summary>
    public int? V1PageSize { get; set; }

    /// <summary>For the v1 job types in directory scope: most files per execution cycle (<c>continue_as_new_threshold</c>); empty: the service's default (page_size).</summary>
    public int? V1ContinueAsNewThreshold { get; set; }

    /// <summary>
    /// For <c>v1_parse</c>: the tier its jobs parse at, sent as <c>parameters.tier</c> (fast, cost_effective,
    /// agentic, agentic_plus) and priced as that parse tier. Empty sends none: the service then parses at
    /// its own default, whose price no source states, so its cost is estimated at the dearest tier
    /// (docs/costs.md, "Tiers").
    /// </summary>
    public string? V1ParseTier { get; set; }

    /// <summary><see cref="V1ParseTier"/>, with an empty setting (an environment variable set to nothing) as none.</summary>
    internal string? RequestedV1ParseTier => string.IsNullOrWhiteSpace(V1ParseTier) ? null : V1ParseTier;

    /// <summary>For <c>v1_classify</c>: the document types to choose from.</summary>
    public List<ClassifyRuleOptions> ClassifyRules { get; set; } = [];

    /// <summary>Follow-up sinks for this source by name; empty means <c>FollowUp:Sinks</c>.</summary>
    public List<string> FollowUpSinks { get; set; } = [];

    /// <summary>Where the FileSystem sink mirrors this source's tree; empty means <c>FollowUp:OutputPath</c>/&lt;source name&gt;.</summary>
    public string? OutputPath { get; set; }

    /// <summary>Ignore names of files still being written by common tools: <c>*.tmp</c>, <c>~$*</c>, <c>*.partial</c>, <c>.~lock.*#</c>.</summary>
    public bool IgnoreTemporaryNames { get; set; } = true;

    /// <summary>
    /// Take files and folders whose name starts with '.' (.DS_Store, ._ resource forks, .git/, .Trash-1000/). Off by
    /// default, as LlamaIndex's SimpleDirectoryReader leaves them out: they are the system's and tools' own, and each
    /// one taken would be uploaded and billed (docs/sources.md, "What a scan takes").
    /// </summary>
    public bool IncludeHidden { get; set; }

    /// <summary>
    /// Take a folder found empty, while files were known in it, as "everything was deleted". Off by default:
    /// an unmounted share or a detached disk looks exactly like that, and in the mirror layout deletions are
    /// propagated to LlamaCloud. Such a scan is refused with a reason instead; turn this on for one run if
    /// the folder really was emptied. On, it also overrules <see cref="GuardEmptiedSubfolders"/>.
    /// </summary>
    public bool TreatEmptyFolderAsDeleted { get; set; }

    /// <summary>
    /// Take a subfolder found holding nothing, while files were known in it, for a share mounted there and not mounted now:
    /// its files are kept as they were and the folder is named (EmptiedFolder), while the rest of the scan goes on. Off by
    /// default, as a folder a mover drains (an inbox per customer) is emptied on purpose, and kept, its files would stay in
    /// a mirror's directory and be parsed again by each of its batches. Turn it on where shares are mounted below Path.
    /// </summary>
    public bool GuardEmptiedSubfolders { get; set; }

    /// <summary>
    /// The Hangfire queue of this source's runs, uploads and follow-ups: the steps that read its folder
    /// or write beside it. Leave it <c>default</c> when every instance sees the folder; for a folder only
    /// some nodes see (a local disk), name a queue only those nodes serve (<c>Hangfire:Server:Queues</c>).
    /// Submitting, polling and recording need no files and run anywhere.
    /// </summary>
    public string Queue { get; set; } = DefaultQueue;

    /// <summary>The queue every instance serves unless told otherwise.</summary>
    public const string DefaultQueue = "default";

    /// <summary>Skip symbolic links (each listed with a reason), or follow them (loop-safe).</summary>
    public SymlinkPolicy Symlinks { get; set; } = SymlinkPolicy.Skip;

    /// <summary>
    /// Largest file taken, in bytes; larger ones are listed with a reason. Empty means the API's limit
    /// for the job type (docs/llamacloud-api.md §1.4): 512 MiB for parse, 100 MiB for extract.
    /// </summary>
    public long? MaxFileBytes { get; set; }

    /// <summary>What makes a version new: its content (default), or its content at its path. Mirror implies the latter.</summary>
    public DedupeKey DedupeKey { get; set; } = DedupeKey.ContentHash;

    /// <summary>Remote layout: a directory per run (default), a mirror of the folder, or an existing remote directory.</summary>
    public RemoteLayout Layout { get; set; } = RemoteLayout.PerRun;

    /// <summary>
    /// The LlamaCloud project this source's files go to (a UUID or <c>prj-…</c>); empty means
    /// <c>LlamaCloud:ProjectId</c>, and with that empty too, the API key's own project.
    /// </summary>
    public string? ProjectId { get; set; }

    /// <summary>The organisation of <see cref="ProjectId"/>; empty means <c>LlamaCloud:OrganizationId</c>.</summary>
    public string? OrganizationId { get; set; }

    /// <summary>
    /// How long LlamaCloud keeps this source's remote artefacts once a file's result is in every sink:
    /// <c>Off</c>, <c>Immediately</c>, days (<c>7d</c>) or a duration; empty means <c>RemoteCleanup:Retention</c>.
    /// Only a per-run layout's files and directories are deleted; a mirror's or remote-only directory is the
    /// source's own, and only its jobs go (docs/remote-hygiene.md).
    /// </summary>
    public string? RemoteRetention { get; set; }

    /// <summary>The existing <c>dir-…</c> a <see cref="RemoteLayout.RemoteOnly"/> source batches; no local folder then.</summary>
    public string? RemoteDirectoryId { get; set; }

    /// <summary>The patterns ignored unless <see cref="IgnoreTemporaryNames"/> is off.</summary>
    internal static readonly string[] TemporaryNamePatterns = ["**/*.tmp", "**/~$*", "**/*.partial", "**/*.part", "**/*.filepart", "**/*.crdownload", "**/.~lock.*#"];

    internal long EffectiveMaxFileBytes => MaxFileBytes ?? (BatchJobTypes.Parse(JobType) == BatchJobType.ExtractV2 ? 100L << 20 : 512L << 20);

    /// <summary>Whether an emptied subfolder's files are kept: asked for, and not overruled by taking emptiness as deletion.</summary>
    internal bool GuardsEmptiedSubfolders => GuardEmptiedSubfolders && !TreatEmptyFolderAsDeleted;

    /// <summary>A mirror keeps one remote copy per path, so identical content at two paths must be two versions.</summary>
    internal DedupeKey EffectiveDedupeKey => Layout == RemoteLayout.Mirror ? DedupeKey.ContentHashAndPath : DedupeKey;

    /// <summary>The parsed job type (validated at start-up).</summary>
    internal BatchJobType ParsedJobType => BatchJobTypes.Parse(JobType)
        ?? throw new InvalidOperationException($"Unknown job type '{JobType}'");
}
