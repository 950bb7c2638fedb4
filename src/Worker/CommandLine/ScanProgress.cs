namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// What a foreground scan has done so far, counted as the scan talks to its store (see
/// <see cref="ProgressReportingScanStore"/>): known files compared and new or changed ones found while
/// walking, then files to hash and hashed.
/// </summary>
internal sealed class ScanProgress
{
    private long known;
    private long changed;
    private long candidates;
    private long hashed;

    public long Known => Interlocked.Read(ref known);

    public long Changed => Interlocked.Read(ref changed);

    /// <summary>Files to hash: those found new or changed, or read as hash candidates, whichever is more.</summary>
    public long ToHash => Math.Max(Interlocked.Read(ref candidates), Walked ? Changed : 0);

    public long Hashed => Interlocked.Read(ref hashed);

    public bool Walked { get; private set; }

    public void AddKnown() => Interlocked.Increment(ref known);

    public void AddChanged() => Interlocked.Increment(ref changed);

    public void AddCandidate() => Interlocked.Increment(ref candidates);

    public void WalkFinished() => Walked = true;

    public void AddHashed(int count) => Interlocked.Add(ref hashed, count);
}
