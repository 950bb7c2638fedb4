namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Follow-up processing of recorded job references ("FollowUp" section): wait for each parse,
/// extract or classify job to finish, fetch its result and hand it to the sinks. LlamaCloud keeps
/// results for a limited time, so the first look comes right after a batch's results are recorded.
/// </summary>
public sealed class FollowUpOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "FollowUp";

    /// <summary>The built-in sink mirroring each source's tree as <c>path.md</c> and <c>path.json</c>.</summary>
    public const string FileSystemSink = "FileSystem";

    /// <summary>The built-in sink writing <c>orchestrator.follow_up_result</c>.</summary>
    public const string PostgresSink = "Postgres";

    /// <summary>Off: job references are recorded and nothing is fetched.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Sinks by name, for every source that does not name its own; empty means FileSystem and Postgres.</summary>
    public List<string> Sinks { get; set; } = [];

    /// <summary>Results fetched at once by this process, across all follow-up jobs.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Results handed to the sinks together (and held in memory at once per job).</summary>
    public int ChunkSize { get; set; } = 32;

    /// <summary>
    /// Jobs whose statuses one list request reads (<c>job_ids</c> repeated in the query, and a page as
    /// large): 100 keeps the URL near 5 KB, under the 8 KB request-line limit common in front of APIs; no
    /// source gives the list's largest page (the files list caps at 1,000, docs/llamacloud-api.md §1.3).
    /// </summary>
    public int StatusPageSize { get; set; } = 100;

    /// <summary>The wait before looking again at jobs still running; it grows by half per look up to <see cref="MaxRecheckDelay"/>.</summary>
    public TimeSpan RecheckDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between two looks at a batch's unfinished jobs.</summary>
    public TimeSpan MaxRecheckDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A next look due within this long is made by the same job, which waits for it, rather than by another job
    /// handed out moments later: a batch whose jobs take seconds costs one follow-up job, not one per look
    /// (docs/performance.md, P4). Zero ends every follow-up job after one look.
    /// </summary>
    public TimeSpan HoldFor { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest one follow-up job stays for later looks before it leaves the next to another job.</summary>
    public TimeSpan HoldAtMost { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Follow-up jobs of this process that may wait for a later look at once; each keeps a Hangfire worker meanwhile.</summary>
    public int MaxHolding { get; set; } = 2;

    /// <summary>
    /// How long a follow-up job that finds its batch's lease held asks for it again, every quarter second, before it puts the
    /// look back a lease's time to live later: the holder may be just leaving, having scheduled that look (docs/performance.md).
    /// </summary>
    public TimeSpan HeldLeaseWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Failed looks or sink writes per job reference before it ends as FollowUpFailed.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// The wait before results a sink refused are offered to it again, doubled per failed attempt up to
    /// <see cref="MaxRecheckDelay"/>: a sink away (a share, a database, an endpoint restarting) is given 30 s, 1, 2 and
    /// 2 minutes with the defaults, where the look's own delay, seconds, used every attempt up in under a minute. Zero: the
    /// look's own delay.
    /// </summary>
    public TimeSpan SinkRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Looks at a job that ended before LlamaCloud recorded its bill (<c>usage.credits</c> null), made over
    /// <see cref="LateBillWindow"/> (docs/costs.md, "Late bills"); 0 keeps the estimate as the charge at once.
    /// </summary>
    public int LateBillLooks { get; set; } = 6;

    /// <summary>How long after a job's first look without a bill its last look is made; the looks halve the wait back from it.</summary>
    public TimeSpan LateBillWindow { get; set; } = TimeSpan.FromHours(2);

    /// <summary>The sinks in force for a source.</summary>
    internal IReadOnlyList<string> SinksFor(Sources.SourceOptions? source) =>
        source is { FollowUpSinks.Count: > 0 } ? source.FollowUpSinks : Sinks.Count > 0 ? Sinks : [FileSystemSink, PostgresSink];
}
