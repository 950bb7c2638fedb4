namespace BatchOrchestrator.TestSupport;

/// <summary>A clock that stands still until the test moves it: what the code reads from its <see cref="TimeProvider"/> is decided by the test.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public void Advance(TimeSpan by) => now += by;

    public override DateTimeOffset GetUtcNow() => now;
}
