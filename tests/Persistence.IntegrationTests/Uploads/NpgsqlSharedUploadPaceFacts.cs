using BatchOrchestrator.Persistence.Uploads;

namespace BatchOrchestrator.Persistence.IntegrationTests.Uploads;

/// <summary>A project's upload slots in the database (docs/sources.md, "Pacing"): reserved after one another, held by a 429.</summary>
public sealed class NpgsqlSharedUploadPaceFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private const string Project = "prj-test";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan AtMost = TimeSpan.FromSeconds(30);

    private static readonly Guid A = Guid.NewGuid();
    private static readonly Guid B = Guid.NewGuid();

    private NpgsqlSharedUploadPace Store => new(Database.DataSource);

    [Fact]
    public async Task Reservations_FollowOneAnother_TenSlotsAtATime()
    {
        var first = (await Store.ReserveAsync(Project, A, 1, 10, Interval, AtMost, Ct)).StartsIn;
        var second = (await Store.ReserveAsync(Project, A, 1, 10, Interval, AtMost, Ct)).StartsIn;
        var otherProject = (await Store.ReserveAsync("prj-other", A, 1, 10, Interval, AtMost, Ct)).StartsIn;

        Assert.True(first <= TimeSpan.Zero, $"the first reservation starts at once, not in {first}");
        Assert.InRange(second.TotalMilliseconds, 900, 1_000); // after the first's ten slots, less the time between the two
        Assert.True(otherProject <= TimeSpan.Zero, "another project's slots are its own");
    }

    [Fact]
    public async Task AnInstanceWhoseClaimWeighsLessThanAnothersLiveOne_ReservesItsShareByWeight_AndAllOnceThatClaimHasExpired()
    {
        var alone = await Store.ReserveAsync(Project, A, weight: 1, 10, Interval, AtMost, Ct); // a backfill, alone at first
        var heavier = await Store.ReserveAsync(Project, B, weight: 5, 10, Interval, AtMost, Ct); // a nightly run starts elsewhere
        var lighter = await Store.ReserveAsync(Project, A, weight: 1, 10, Interval, AtMost, Ct);
        var heavierAgain = await Store.ReserveAsync(Project, B, weight: 5, 10, Interval, AtMost, Ct);

        Assert.Equal(10, alone.Slots);
        Assert.Equal(10, heavier.Slots); // the lighter claim takes nothing from the heavier
        Assert.Equal(2, lighter.Slots); // 10 x 1 / 5: two slots to the heavier's ten, as the weights say
        Assert.Equal(10, heavierAgain.Slots);
        Assert.InRange(heavierAgain.StartsIn.TotalMilliseconds, 1_700, 2_200); // after 10 + 10 + 2 slots of 100 ms, less the time between
        // Equal weights share turn about; a claim past its time (the nightly run ended) yields nothing.
        Assert.Equal(10, (await Store.ReserveAsync(Project, Guid.NewGuid(), weight: 5, 10, Interval, AtMost, Ct)).Slots);
        await Database.ExecuteAsync("update orchestrator.upload_pace_claim set until = now() - interval '1 second' where weight = 5");
        Assert.Equal(10, (await Store.ReserveAsync(Project, A, weight: 1, 10, Interval, AtMost, Ct)).Slots);
    }

    [Fact]
    public async Task AHoldLongerThanTheCallerWaits_ReservesNothing_AndSaysHowLongItHolds()
    {
        await Store.HoldAsync(Project, TimeSpan.FromMinutes(2), Ct);
        var heldUntil = await Database.ScalarAsync<DateTime>("select next_at from orchestrator.upload_pace where project = $1", Project);

        var reserved = await Store.ReserveAsync(Project, A, 1, 10, Interval, AtMost, Ct);

        Assert.Equal(0, reserved.Slots);
        Assert.InRange(reserved.StartsIn.TotalSeconds, 110, 120);
        // Reserved, those slots would be lost to every instance while the upload that asked comes back after the hold.
        Assert.Equal(heldUntil, await Database.ScalarAsync<DateTime>("select next_at from orchestrator.upload_pace where project = $1", Project));
    }

    [Fact]
    public async Task AHoldShorterThanTheCallerWaits_PutsTheNextSlotsAfterIt()
    {
        await Store.HoldAsync(Project, TimeSpan.FromSeconds(10), Ct);

        var wait = (await Store.ReserveAsync(Project, A, 1, 10, Interval, AtMost, Ct)).StartsIn;

        Assert.InRange(wait.TotalSeconds, 8, 10);
    }
}
