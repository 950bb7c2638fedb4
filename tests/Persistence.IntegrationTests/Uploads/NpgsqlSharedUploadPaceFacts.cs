using BatchOrchestrator.Persistence.Uploads;

namespace BatchOrchestrator.Persistence.IntegrationTests.Uploads;

/// <summary>A project's upload slots in the database (docs/sources.md, "Pacing"): reserved after one another, held by a 429.</summary>
public sealed class NpgsqlSharedUploadPaceFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private const string Project = "prj-test";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan AtMost = TimeSpan.FromSeconds(30);

    private NpgsqlSharedUploadPace Store => new(Database.DataSource);

    [Fact]
    public async Task Reservations_FollowOneAnother_TenSlotsAtATime()
    {
        var first = await Store.ReserveAsync(Project, 10, Interval, AtMost, Ct);
        var second = await Store.ReserveAsync(Project, 10, Interval, AtMost, Ct);
        var otherProject = await Store.ReserveAsync("prj-other", 10, Interval, AtMost, Ct);

        Assert.True(first <= TimeSpan.Zero, $"the first reservation starts at once, not in {first}");
        Assert.InRange(second.TotalMilliseconds, 900, 1_000); // after the first's ten slots, less the time between the two
        Assert.True(otherProject <= TimeSpan.Zero, "another project's slots are its own");
    }

    [Fact]
    public async Task AHoldLongerThanTheCallerWaits_ReservesNothing_AndSaysHowLongItHolds()
    {
        await Store.HoldAsync(Project, TimeSpan.FromMinutes(2), Ct);
        var heldUntil = await Database.ScalarAsync<DateTime>("select next_at from orchestrator.upload_pace where project = $1", Project);

        var wait = await Store.ReserveAsync(Project, 10, Interval, AtMost, Ct);

        Assert.InRange(wait.TotalSeconds, 110, 120);
        // Reserved, those slots would be lost to every instance while the upload that asked comes back after the hold.
        Assert.Equal(heldUntil, await Database.ScalarAsync<DateTime>("select next_at from orchestrator.upload_pace where project = $1", Project));
    }

    [Fact]
    public async Task AHoldShorterThanTheCallerWaits_PutsTheNextSlotsAfterIt()
    {
        await Store.HoldAsync(Project, TimeSpan.FromSeconds(10), Ct);

        var wait = await Store.ReserveAsync(Project, 10, Interval, AtMost, Ct);

        Assert.InRange(wait.TotalSeconds, 8, 10);
    }
}
