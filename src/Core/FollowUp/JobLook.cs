namespace BatchOrchestrator.Core.FollowUp;

/// <summary>What looking at one job found.</summary>
internal enum LookKind
{
    /// <summary>Finished; <see cref="JobLook.Document"/> holds its result.</summary>
    Finished,

    /// <summary>Still pending or running.</summary>
    Waiting,

    /// <summary>The job failed: the file failed.</summary>
    JobFailed,

    /// <summary>The job was cancelled (its batch was): the file was skipped.</summary>
    JobCancelled,

    /// <summary>LlamaCloud no longer has the job or its result (404).</summary>
    Gone,

    /// <summary>Nothing can be fetched for this reference (no file version of ours matches it).</summary>
    Unusable,

    /// <summary>The look itself failed (transport, throttling, auth): try again later.</summary>
    Error,

    /// <summary>
    /// Not looked at: the project is paused, or LlamaCloud asked for a longer wait than we sleep
    /// (<see cref="JobLook.RetryAfter"/>). Not a failed attempt; the batch's next look comes after the wait.
    /// </summary>
    Deferred,
}

/// <summary>
/// One look at one job reference: what it found, what the job billed when it said (<see cref="Billing"/>),
/// and whether its finished result is empty (no text, no markdown, no extracted data).
/// </summary>
internal sealed record JobLook(
    FollowUpItem Item, LookKind Kind, string? RemoteStatus = null, FollowUpDocument? Document = null, string? Error = null, JobBilling? Billing = null, bool Empty = false)
{
    /// <summary>For <see cref="LookKind.Deferred"/>: how long to wait before looking again.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>What a job billed: credits (null until billing recorded them), pages, tier and the configuration it ran with, where the job says.</summary>
internal sealed record JobBilling(decimal? Credits, int? Pages, string? Tier, string? ConfigurationId = null);
