namespace BatchOrchestrator.Core.Cleanup;

/// <summary>
/// Remote hygiene (section <c>RemoteCleanup</c>, docs/remote-hygiene.md): deleting what LlamaCloud keeps for
/// us once a file's result is stored by every sink. A source may override <see cref="Retention"/> with
/// <c>Sources:N:RemoteRetention</c>.
/// </summary>
public sealed class RemoteCleanupOptions
{
    public const string SectionName = "RemoteCleanup";

    /// <summary>The default for every source: <c>Off</c> (the default), <c>Immediately</c>, days (<c>7d</c>) or a duration.</summary>
    public string Retention { get; set; } = "Off";

    /// <summary>How often the cleanup job looks for artefacts due for deletion (a divisor of a minute, or whole minutes).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The most deletes one cleanup run sends; the rest wait for the next run.</summary>
    public int MaxDeletesPerRun { get; set; } = 2_000;

    /// <summary>How long one cleanup run may go on; it stops between two deletes once this has passed.</summary>
    public TimeSpan MaxRunTime { get; set; } = TimeSpan.FromMinutes(5);
}
