namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// New uploads, batch creates and follow-ups of one project held back for one reason, since when, and
/// when the next probe may lift it. <paramref name="Scope"/> is the project to probe in.
/// </summary>
internal sealed record ProjectPause(ProjectScope Scope, PauseReason Reason, DateTimeOffset Since, DateTimeOffset NextProbeAt, string? LastError)
{
    /// <summary>The <see cref="ProjectScope.Key"/>: the project's name in metrics, logs and the table.</summary>
    public string Project => Scope.Key;

    /// <summary>How long a step waits before it looks again: until the next probe is due, and at least a second.</summary>
    public TimeSpan ComeBackIn(DateTimeOffset now)
    {
        var wait = NextProbeAt - now;
        return wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;
    }
}
