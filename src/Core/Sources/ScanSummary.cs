namespace BatchOrchestrator.Core.Sources;

/// <summary>What one scan found.</summary>
internal sealed record ScanSummary(int Seen, int NewOrChanged, int Vanished, int Unsettled, int Hashed, int NewVersions, int Deferred)
{
    /// <summary>Files recorded with a reason instead of being taken (or taken with a caveat).</summary>
    public int Problems { get; init; }

    /// <summary>
    /// Paths hashed to content that is a version under another name (DedupeKey ContentHash): not sent or billed
    /// again, each recorded as a copy of that version and given its result under its own name.
    /// </summary>
    public int Copies { get; init; }

    /// <summary>
    /// Settled files that changed between the walk's look and their hash (of <c>Deferred</c>): being written again, so
    /// they need a settle period of their own, as files the walk found changing do.
    /// </summary>
    public int ChangedWhileHashing { get; init; }

    /// <summary>Of <see cref="Unsettled"/>, files that changed again before they ever settled: written to without end, perhaps.</summary>
    public int StillChanging { get; init; }

    /// <summary>File versions the run's planning held back under a spending cap (docs/costs.md).</summary>
    public int Held { get; init; }

    /// <summary>
    /// When the Include/Exclude patterns took none of the files in the folder, how many they left out (hidden and
    /// temporary names aside); null when they took one. Recorded on the run for the gauge and "Needs a person".
    /// </summary>
    public int? LeftOutByPatternsTakingNone { get; init; }
}
