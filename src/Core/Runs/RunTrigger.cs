namespace BatchOrchestrator.Core.Runs;

/// <summary>
/// What started a run. Shown on the dashboard; stored by name. Hangfire stores this type's full name
/// with every queued run job, so it keeps its namespace.
/// </summary>
internal enum RunTrigger
{
    /// <summary>The source's cron schedule.</summary>
    Schedule,

    /// <summary>File-system events (debounced).</summary>
    Watch,

    /// <summary>Files were still settling at the previous look; this is the second look.</summary>
    Settle,

    /// <summary>A person, from the command line or the dashboard.</summary>
    Manual,

    /// <summary>A run was asked for while another was in progress; this one catches up.</summary>
    Rerun,

    /// <summary>
    /// A batch sent files back to the queue, or a mirror's changes waited for its open batch; this run takes them sooner
    /// than the schedule would (<c>Pipeline:RetryRunAfter</c>).
    /// </summary>
    Retry,

    /// <summary>The service started with a Costs section other than the one a cap held files of the source under; this run plans them again.</summary>
    Start,
}
