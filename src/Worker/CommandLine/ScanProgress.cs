using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// What a foreground scan has done so far, counted as the scan talks to its store (see
/// <see cref="ProgressReportingScanStore"/>): files looked at, then files to hash and hashed.
/// </summary>
internal sealed class ScanProgress
{
    private long seen;
    private long toHash;
    private long hashed;

    public long Seen => Interlocked.Read(ref seen);

    /// <summary>Files the merge found new or changed; known once the folder has been walked.</summary>
    public long ToHash => Interlocked.Read(ref toHash);

    public long Hashed => Interlocked.Read(ref hashed);

    public bool Walked { get; private set; }

    public IEnumerable<FileObservation> Count(IEnumerable<FileObservation> observations)
    {
        foreach (var observation in observations)
        {
            Interlocked.Increment(ref seen);
            yield return observation;
        }
    }

    public void WalkFinished(ObservationSummary summary)
    {
        Interlocked.Exchange(ref toHash, Math.Max(0, summary.NewOrChanged - summary.Unsettled));
        Walked = true;
    }

    public void AddHashed(int count) => Interlocked.Add(ref hashed, count);
}
