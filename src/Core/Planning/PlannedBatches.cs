using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Core.Planning;

/// <summary>The batches a run planned, the step of ours each is handed to first, and what the caps decided.</summary>
internal sealed record PlannedBatches(IReadOnlyList<long> BatchIds, BatchStep FirstStep, PlanTally? Tally = null)
{
    public int Held => Tally?.Held ?? 0;

    /// <summary>A mirror's changes wait for its batch still open: a later run owes them (<see cref="PlanOutcome.WaitsForOpenBatch"/>).</summary>
    public bool WaitsForOpenBatch { get; init; }
}

/// <summary>What a planning wrote: its batches, and what it took and held.</summary>
internal sealed record PlanOutcome(IReadOnlyList<long> BatchIds, PlanTally Tally)
{
    /// <summary>
    /// No batch because the mirror's previous one is still open, while there is something to send or remove: nothing
    /// else starts a run once it ends (docs/sources.md, "Remote layouts").
    /// </summary>
    public bool WaitsForOpenBatch { get; init; }
}

/// <summary>
/// A planning's decisions counted as they are made, not kept: a first run may plan a million versions,
/// and the plan itself is in the database once written.
/// </summary>
internal sealed class PlanTally
{
    private readonly Dictionary<string, decimal> creditsByTier = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, int> heldByRun = new(Comparer<long>.Create((a, b) => b.CompareTo(a)));

    public int Taken { get; private set; }

    /// <summary>Taken by an operator's approval, whatever the caps said.</summary>
    public int Approved { get; private set; }

    public int Held { get; private set; }

    /// <summary>
    /// The cap (<c>scope/window</c>) that held the first version held for want of room in its window, else the first
    /// held at all (one that needs more than the whole cap), if any.
    /// </summary>
    public string? HeldBy { get; private set; }

    /// <summary>The holding cap's limit, its window's room and what the version it held needs (<see cref="HeldVersion.Room"/>).</summary>
    public string? HeldRoom { get; private set; }

    /// <summary>Versions held that each need more than a whole cap: only an approval sends them (they hold no other back).</summary>
    public int HeldOverWholeCap { get; private set; }

    /// <summary>Every version held needs more than a whole cap: only an approval sends what this planning held.</summary>
    public bool HeldFitsNoWindow => Held > 0 && HeldOverWholeCap == Held;

    /// <summary>
    /// The versions held, by the run they are held under, newest first: a version held again stays under the run that
    /// first held it, and that run's id is what <c>approve</c> takes (docs/costs.md, "Held files go on").
    /// </summary>
    public IReadOnlyDictionary<long, int> HeldByRun => heldByRun;

    /// <summary>Credits reserved, by tier.</summary>
    public IReadOnlyDictionary<string, decimal> CreditsByTier => creditsByTier;

    public void Add(Reservation taken)
    {
        Taken++;
        Approved += taken.Approved ? 1 : 0;
        creditsByTier[taken.Tier.Tier] = creditsByTier.GetValueOrDefault(taken.Tier.Tier) + taken.Credits;
    }

    public void Add(HeldVersion held)
    {
        if (Held++ == 0 || (HeldOverWholeCap == Held - 1 && !held.FitsNoWindow))
        {
            (HeldBy, HeldRoom) = (held.Cap, held.Room);
        }

        HeldOverWholeCap += held.FitsNoWindow ? 1 : 0;
    }

    /// <summary>Records, as storage reports it, that <paramref name="count"/> held versions are under run <paramref name="runId"/>.</summary>
    public void HeldUnder(long runId, int count) => heldByRun[runId] = heldByRun.GetValueOrDefault(runId) + count;
}
