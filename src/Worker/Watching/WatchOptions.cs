namespace BatchOrchestrator.Worker.Watching;

/// <summary>File-system event hints ("Watching" section).</summary>
public sealed class WatchOptions
{
    /// <summary>Quiet time after the last event before a run is started.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait after the first event of a burst, however busy the folder stays.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);
}
