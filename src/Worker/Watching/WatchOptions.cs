namespace BatchOrchestrator.Worker.Watching;

/// <summary>File-system event hints ("Watching" section).</summary>
public sealed class WatchOptions
{
    /// <summary>Quiet time after the last event before a run is started.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait after the first event of a burst, however busy the folder stays.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often each watched folder is checked to still be the one watched (deleted, moved away or replaced
    /// folders are let go, and watched again once back).
    /// </summary>
    public TimeSpan FolderCheck { get; set; } = TimeSpan.FromSeconds(5);
}
