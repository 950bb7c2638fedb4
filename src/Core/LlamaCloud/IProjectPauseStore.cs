namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The pauses every instance shares (one row per project and reason), written by the instance that
/// observed the cause and honoured by all of them, the <c>status</c> verb included.
/// </summary>
internal interface IProjectPauseStore
{
    Task<IReadOnlyList<ProjectPause>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts the pause, or for one already in force keeps its start and updates its next probe and last error;
    /// true when it started now.
    /// </summary>
    Task<bool> PauseAsync(ProjectScope scope, PauseReason reason, DateTimeOffset nextProbeAt, string? error, CancellationToken cancellationToken);

    /// <summary>Ends the pause; false when there was none.</summary>
    Task<bool> ResumeAsync(string project, PauseReason reason, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the probe of a pause whose probe is due, pushing the next one to <paramref name="nextProbeAt"/>: true
    /// for exactly one caller across all instances, false when it is not due or another took it.
    /// </summary>
    Task<bool> ClaimProbeAsync(string project, PauseReason reason, DateTimeOffset nextProbeAt, CancellationToken cancellationToken);
}
