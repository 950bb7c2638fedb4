using System.Globalization;
using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Planning;

/// <summary>
/// What planning a run may spend (docs/costs.md, "Caps"): the tier of the source's configuration and of
/// its fallback, and the caps that apply, each with where its window began. Persistence reads the caps'
/// use and the candidate versions inside the planning transaction (under the caps' locks) and asks
/// <see cref="Allocate"/> which go into batches and which are held; it only writes that decision. <paramref name="Zone"/>
/// is where the caps' days and months begin (<c>Costs:TimeZone</c>), for <see cref="At"/>.
/// </summary>
internal sealed record CostPlan(PlannedTier Primary, PlannedTier? Fallback, IReadOnlyList<CapCheck> Caps, TimeZoneInfo? Zone = null)
{
    /// <summary>No price and no caps: everything is taken, nothing reserved (tests of other concerns).</summary>
    public static CostPlan Free(string configurationId) => new(new PlannedTier(configurationId, "unknown", 0), null, []);

    /// <summary>The same prices without caps: what a plan would cost if nothing were held.</summary>
    public CostPlan Uncapped => this with { Caps = [] };

    /// <summary>
    /// The same caps with their windows begun as of <paramref name="now"/>, read from the clock that stamps the
    /// reservations (the database's, in the planning transaction). Windows begun by this instance's own clock would
    /// miss, while it runs ahead past midnight, the reservations the database still stamps with the day before: each
    /// planning would find the day unused and could reserve a whole cap again in it.
    /// </summary>
    public CostPlan At(DateTimeOffset now) =>
        Zone is null ? this : this with { Caps = [.. Caps.Select(c => c.At(now, Zone))] };

    /// <summary>Whether any cap has a window for <see cref="At"/> to begin: without one, the clock need not be read.</summary>
    public bool HasWindows => Zone is not null && Caps.Any(c => c.Window != CapWindow.Run);

    /// <summary>The cap scopes to lock, in a fixed order so that two plannings never wait on each other in a circle.</summary>
    public IReadOnlyList<string> LockScopes => [.. Caps.Select(c => c.Scope).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Takes candidates in id order while every cap has room for their estimate; from the first that does
    /// not fit, the rest are held (first come, first served: a large file is not overtaken for ever by
    /// small ones). A candidate over a cap's whole limit is held alone: no window of it will ever take that one,
    /// so the files after it waiting for it would gain it nothing. An operator-approved version is taken whatever
    /// the caps say, and still counts.
    /// <paramref name="used"/> is each cap's credits already billed or reserved in its window, in <see cref="Caps"/> order.
    /// </summary>
    public Allocation Allocate(IReadOnlyList<PlanCandidate> candidates, IReadOnlyList<decimal> used)
    {
        var allocator = Start(used);
        var taken = new List<Reservation>(candidates.Count);
        var held = new List<HeldVersion>();
        foreach (var candidate in candidates)
        {
            var (reservation, hold) = allocator.Decide(candidate);
            if (reservation is { } r)
            {
                taken.Add(r);
            }
            else
            {
                held.Add(hold!.Value);
            }
        }

        return new Allocation(taken, held);
    }

    /// <summary>
    /// The same decisions as <see cref="Allocate"/>, one candidate at a time, so that planning can read a
    /// million candidates a page at a time instead of holding them all.
    /// </summary>
    public Allocator Start(IReadOnlyList<decimal> used) => new(this, [.. Caps.Select((cap, i) => cap.Limit - used[i])]);

    /// <summary>
    /// A mirror's batch, which cannot be split: LlamaCloud parses, and bills, every file in the mirror's directory,
    /// those sent now (<paramref name="toSend"/>: new, changed, held) and those it already holds
    /// (<paramref name="inMirror"/>). Either every one of them is reserved at the source's configuration, or,
    /// when the whole does not fit a cap's room, the files to send are held with that cap and nothing is
    /// reserved. An operator's approval of every file to send lets the whole go whatever the caps say.
    /// </summary>
    public Allocation AllocateWhole(IReadOnlyList<PlanCandidate> toSend, IReadOnlyList<PlanCandidate> inMirror, IReadOnlyList<decimal> used)
    {
        var approved = toSend.Count > 0 && toSend.All(c => c.Approved);
        var all = toSend.Concat(inMirror).Select(c => Price(c, Primary, approved)).ToList();
        var total = all.Sum(r => r.Credits);
        for (var i = 0; i < Caps.Count && !approved; i++)
        {
            var left = Caps[i].Limit - used[i];
            if (total > left)
            {
                var cap = Caps[i];
                var room = string.Create(CultureInfo.InvariantCulture, $"{cap.Limit:0.##} credits, {Math.Max(0, left):0.##} left; the mirror's batch ~{total:0.##} credits");
                var reason = string.Create(
                    CultureInfo.InvariantCulture,
                    $"held by the {cap.Window} cap on {cap.Scope} ({room} for {all.Count} files, all parsed again together, so it is not split); {cap.GoesOn(total)}");
                return new Allocation([], [.. toSend.Select(c => new HeldVersion(c.Id, cap.Name, reason, !cap.Fits(total), room))]);
            }
        }

        return new Allocation(all, []);
    }

    private static Reservation Price(PlanCandidate candidate, PlannedTier tier, bool approved)
    {
        var pages = candidate.Pages ?? PageCounter.Estimate(candidate.Size, Path.GetExtension(candidate.RelativePath), null).Pages;
        return new Reservation(candidate.Id, tier, pages, tier.CreditsPerPage * pages, false, approved);
    }

    /// <summary>The caps' room left as candidates are taken, in id order.</summary>
    internal sealed class Allocator(CostPlan plan, decimal[] left)
    {
        private (string Cap, string Reason, bool FitsNoWindow, string Room)? holding;

        /// <summary>The candidate's reservation when taken, or why it is held: exactly one of the two.</summary>
        public (Reservation? Taken, HeldVersion? Held) Decide(PlanCandidate candidate)
        {
            var tier = candidate.Escalated && plan.Fallback is not null ? plan.Fallback : plan.Primary;
            var pages = candidate.Pages ?? PageCounter.Estimate(candidate.Size, Path.GetExtension(candidate.RelativePath), null).Pages;
            var credits = tier.CreditsPerPage * pages;
            if (!candidate.Approved)
            {
                // Before the queue: one file that needs more than a whole cap (a scan of thousands of pages, a document
                // that claims millions) held every file planned after it until a person came, run after run.
                if (plan.OverAWholeCap(left, credits) is { } alone)
                {
                    return (null, new HeldVersion(candidate.Id, alone.Cap, alone.Reason, alone.FitsNoWindow, alone.Room));
                }

                holding ??= plan.Blocking(left, credits);
                if (holding is { } hold)
                {
                    return (null, new HeldVersion(candidate.Id, hold.Cap, hold.Reason, hold.FitsNoWindow, hold.Room));
                }
            }

            for (var i = 0; i < left.Length; i++)
            {
                left[i] -= credits;
            }

            return (new Reservation(candidate.Id, tier, pages, credits, tier == plan.Fallback, candidate.Approved), null);
        }
    }

    private (string Cap, string Reason, bool FitsNoWindow, string Room)? Blocking(decimal[] left, decimal credits) =>
        Holding(left, credits, i => credits > left[i]);

    private (string Cap, string Reason, bool FitsNoWindow, string Room)? OverAWholeCap(decimal[] left, decimal credits) =>
        Holding(left, credits, i => !Caps[i].Fits(credits));

    private (string Cap, string Reason, bool FitsNoWindow, string Room)? Holding(decimal[] left, decimal credits, Func<int, bool> holds)
    {
        for (var i = 0; i < Caps.Count; i++)
        {
            if (holds(i))
            {
                var cap = Caps[i];
                var room = string.Create(CultureInfo.InvariantCulture, $"{cap.Limit:0.##} credits, {Math.Max(0, left[i]):0.##} left; next file ~{credits:0.##} credits");
                return (cap.Name, $"held by the {cap.Window} cap on {cap.Scope} ({room}); {cap.GoesOn(credits)}", !cap.Fits(credits), room);
            }
        }

        return null;
    }
}

/// <summary>A configuration and what a page costs at its tier.</summary>
internal sealed record PlannedTier(string ConfigurationId, string Tier, decimal CreditsPerPage);

/// <summary>
/// One cap to respect: its scope (a source or <c>global</c>), window, limit, and the window's start (null: this run, or a
/// Day or Month window not begun yet, see <see cref="At"/>).
/// </summary>
internal sealed record CapCheck(string Scope, CapWindow Window, decimal Limit, DateTimeOffset? Since)
{
    public string Name => $"{Scope}/{Window}";

    /// <summary>
    /// Where the use summed for this cap begins: null for a Run cap, which counts one run. A Day or Month cap whose window
    /// was not begun by the database's clock (<see cref="At"/>) is refused rather than summed as a Run cap would be.
    /// </summary>
    public DateTimeOffset? WindowStart => Since is not null || Window == CapWindow.Run
        ? Since
        : throw new InvalidOperationException($"the {Window} window of cap {Name} was not begun by the database's clock");

    /// <summary>
    /// The same cap with its window begun as of <paramref name="now"/> in <paramref name="zone"/>. Whatever reads a cap's
    /// use (planning, the plan preview, the headroom gauge) begins it by the clock that stamps the reservations, the
    /// database's (<see cref="CostPlan.At"/>), so that each shows the room planning will find.
    /// </summary>
    public CapCheck At(DateTimeOffset now, TimeZoneInfo zone) => this with { Since = CapWindows.Start(Window, now, zone) };

    /// <summary>
    /// When what it holds goes on, <paramref name="next"/> credits being what the next of it needs. A Run cap's window
    /// turns over at the source's next run, which may come at once (a file-system event, the next schedule): it bounds
    /// each run, not their total, and must not be read as a stop. What needs more than the whole cap fits no window:
    /// only an approval sends it, and it is held alone: the files planned after it do not wait behind it.
    /// </summary>
    public string GoesOn(decimal next) =>
        !Fits(next) ? $"that is more than the whole cap, so no {Window} window will take it: only an operator's approval sends it (or a higher limit)"
        : Window == CapWindow.Run ? $"goes on {RunTurnsOver} or when an operator approves"
        : "goes on when the window turns over or an operator approves";

    /// <summary>Whether <paramref name="credits"/> fit some window of this cap at all: not when they are more than its whole limit.</summary>
    public bool Fits(decimal credits) => credits <= Limit;

    /// <summary>When a Run cap's window turns over, as the held reason and the planning's warning say it.</summary>
    public const string RunTurnsOver = "with the source's next run (a Run cap bounds each run, not their total: a Day or Month cap does)";

    public bool IsGlobal => Scope == CapOptions.GlobalScope;
}

/// <summary>A version planning may take: its size and path (for the size rule), pages if counted, and whether it escalates or was approved.</summary>
internal readonly record struct PlanCandidate(long Id, string RelativePath, long Size, int? Pages, bool Escalated, bool Approved);

/// <summary>Which versions go into batches (with their reservations) and which are held.</summary>
internal sealed record Allocation(IReadOnlyList<Reservation> Taken, IReadOnlyList<HeldVersion> Held);

/// <summary>A version taken, at which configuration and tier, with the credits reserved for it.</summary>
internal readonly record struct Reservation(long Id, PlannedTier Tier, int Pages, decimal Credits, bool Escalation, bool Approved);

/// <summary>
/// A version held back, by which cap (<c>scope/window</c>) and why; <paramref name="FitsNoWindow"/>: it needs more than the
/// whole cap, so only an approval sends it. <paramref name="Room"/>: the cap's limit, what its window
/// has left and what the first held needs, as the reason says them, for the planning's warning.
/// </summary>
internal readonly record struct HeldVersion(long Id, string Cap, string Reason, bool FitsNoWindow = false, string? Room = null);
