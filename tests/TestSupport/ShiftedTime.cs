namespace BatchOrchestrator.TestSupport;

/// <summary>The system clock moved on by <see cref="Offset"/>: a test makes minutes pass at once where the code reads time from a <see cref="TimeProvider"/>.</summary>
public sealed class ShiftedTime : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
