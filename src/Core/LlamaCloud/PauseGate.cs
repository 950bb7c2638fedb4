namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// What a step asks before it starts new work in a project (an upload, a batch create, a follow-up): is
/// the project paused? A pause whose probe is due is probed first, so the step that wakes up when the
/// probe is due finds the project resumed, without waiting for another tick.
/// </summary>
internal sealed class PauseGate(ProjectPauses pauses, PauseProbe probe, TimeProvider time)
{
    /// <summary>Null when new work may start; otherwise the pause, with when to come back.</summary>
    public async Task<ProjectPause?> HoldsAsync(ProjectScope scope, CancellationToken cancellationToken)
    {
        var pause = await pauses.FindAsync(scope, fresh: false, cancellationToken);
        if (pause is null || pause.NextProbeAt > time.GetUtcNow())
        {
            return pause;
        }

        await probe.TryAsync(pause, cancellationToken);

        // Read again whatever came of it: lifted, still there with its next probe pushed out (by us or by
        // the instance that took the probe), or another reason left.
        return await pauses.FindAsync(scope, fresh: true, cancellationToken);
    }
}
