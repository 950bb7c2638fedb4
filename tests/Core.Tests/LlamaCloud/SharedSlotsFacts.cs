using System.Data.Common;

namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// A project's upload slots shared with the other instances through the database (docs/sources.md, "Pacing"): the database
/// is asked a reservation at a time, never fails an upload for its pace, and hands back what is held too long to sleep.
/// </summary>
public sealed class SharedSlotsFacts
{
    [Fact]
    public async Task WhileTheDatabaseCannotBeAsked_UploadsGoOnAtTheProcesssOwnPace_SaidOnce_AndSharedAgainOnceItCan()
    {
        var store = new Store { Failing = true };
        var logs = new CapturingLoggerProvider();
        var time = new MovedOn { Frozen = true }; // no slot falls behind however slow the machine
        using var pace = Pace(store, logs, time);

        for (var i = 0; i < 3; i++)
        {
            await pace.WaitAsync(UploadLane.Default, Ct);
        }

        // Asked once: a database that hangs rather than refuses would hold every upload for its timeout.
        Assert.Equal(1, store.Asked);
        Assert.Single(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("paces its uploads on its own", StringComparison.Ordinal));

        store.Failing = false;
        time.Offset += SharedUploadSlots.UnsharedFor;
        await pace.WaitAsync(UploadLane.Default, Ct);
        Assert.Single(logs.Lines, l => l.Contains("shared with the other instances again", StringComparison.Ordinal));
        Assert.Equal(2, store.Asked); // that reservation serves ten uploads
        for (var i = 0; i < SharedUploadSlots.PerReservation - 1; i++)
        {
            await pace.WaitAsync(UploadLane.Default, Ct);
        }

        Assert.Equal(2, store.Asked);
        await pace.WaitAsync(UploadLane.Default, Ct);
        Assert.Equal(3, store.Asked);
    }

    [Fact]
    public async Task SlotsHeldLongerThanARequestSleeps_HandTheUploadBack_ToComeAfterThem()
    {
        var store = new Store { StartsIn = TimeSpan.FromMinutes(2) }; // another instance's 429, or many instances' uploads
        using var pace = Pace(store, new CapturingLoggerProvider());

        var refused = await Assert.ThrowsAsync<LlamaCloudTransientException>(async () => await pace.WaitAsync(UploadLane.Default, Ct));

        Assert.True(refused.Deferred);
        Assert.Equal(TimeSpan.FromMinutes(2), refused.RetryAfter);
    }

    [Fact]
    public async Task SlotsThatWentByWhileNoUploadCame_ArePassedOver_NotSentBackToBack()
    {
        var store = new Store();
        var time = new MovedOn();
        using var pace = Pace(store, new CapturingLoggerProvider(), time);
        await pace.WaitAsync(UploadLane.Default, Ct); // reserves ten, takes the first

        time.Offset += TimeSpan.FromMinutes(10); // the uploads paused; the nine left are long gone by
        await pace.WaitAsync(UploadLane.Default, Ct);

        Assert.Equal(2, store.Asked);
    }

    [Fact]
    public async Task AReservationClaimsTheProjectForTheUploadingSourcesPriority_AndServesAsManyUploadsAsItHolds()
    {
        var store = new Store { Slots = 2 }; // another instance's claim weighs more: this one's share is two slots
        using var pace = Pace(store, new CapturingLoggerProvider(), new MovedOn { Frozen = true });
        var nightly = new UploadLane("nightly", 4);

        await pace.WaitAsync(nightly, Ct);
        await pace.WaitAsync(nightly, Ct);
        Assert.Equal(1, store.Asked);
        await pace.WaitAsync(nightly, Ct);

        Assert.Equal(2, store.Asked);
        Assert.Equal([4, 4], store.Weights);
    }

    private static UploadPace Pace(Store store, CapturingLoggerProvider logs, TimeProvider? time = null) => new(
        "prj-test",
        new UploadRateLimitOptions { PermitLimit = 1000, Window = TimeSpan.FromSeconds(1), Headroom = 1 },
        new RetryTiming(Options.Create(new LlamaCloudOptions()), time ?? TimeProvider.System),
        time ?? TimeProvider.System,
        logs.CreateLogger("pace"),
        store);

    private sealed class Store : ISharedUploadPace
    {
        public bool Failing { get; set; }

        public TimeSpan StartsIn { get; set; }

        public int Asked { get; private set; }

        public int Slots { get; set; } = SharedUploadSlots.PerReservation;

        public List<int> Weights { get; } = [];

        public Task<SlotReservation> ReserveAsync(string project, Guid instance, int weight, int slots, TimeSpan interval, TimeSpan atMost, CancellationToken cancellationToken)
        {
            Asked++;
            Weights.Add(weight);
            return Failing ? Task.FromException<SlotReservation>(new Refused()) : Task.FromResult(new SlotReservation(StartsIn, StartsIn > atMost ? 0 : Slots));
        }

        public Task HoldAsync(string project, TimeSpan hold, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Refused() : DbException("connection refused");

    /// <summary>The monotonic clock moved on by <see cref="Offset"/>, as minutes passing would, or standing still.</summary>
    private sealed class MovedOn : TimeProvider
    {
        private readonly long start = System.GetTimestamp();

        public TimeSpan Offset { get; set; }

        public bool Frozen { get; init; }

        public override long GetTimestamp() => (Frozen ? start : System.GetTimestamp()) + (long)(Offset.TotalSeconds * TimestampFrequency);
    }
}
