namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Bounds the follow-up jobs of this process that wait in place for their batch's next look
/// (<see cref="FollowUpOptions.MaxHolding"/>): each keeps a Hangfire worker while it waits, and the
/// other steps need theirs. A job that finds none free ends after its look, as it would without holding.
/// </summary>
internal sealed class FollowUpHolds(IOptions<FollowUpOptions> options) : IDisposable
{
    private readonly SemaphoreSlim slots = new(options.Value.MaxHolding);

    /// <summary>Takes a slot if one is free, without waiting; a job that took one gives it back with <see cref="Release"/>.</summary>
    public bool TryTake() => slots.Wait(TimeSpan.Zero);

    public void Release() => slots.Release();

    public void Dispose() => slots.Dispose();
}
