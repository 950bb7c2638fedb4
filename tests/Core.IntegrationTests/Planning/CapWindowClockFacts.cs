using BatchOrchestrator.Core.Planning;

namespace BatchOrchestrator.Core.IntegrationTests.Planning;

/// <summary>
/// A Day cap's window begins by the clock that stamps the reservations, the database's (docs/costs.md, "Caps"): an
/// instance whose own clock is already past midnight while the database's is not must count the day's reservations,
/// since what it reserves lands in that same day.
/// </summary>
public sealed class CapWindowClockFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private readonly ShiftedTime clock = new();

    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(
            server,
            CapSettings.TwoFilesADay(),
            services: s => s.AddSingleton<TimeProvider>(clock));

    [Fact]
    public async Task ADayCap_HoldsWhatTheDayHasNoRoomFor_WhenThePlanningInstancesClockIsAlreadyInTheNextDay()
    {
        await SpendTodayThenStepIntoTomorrowAsync();
        await RunAsync();

        var reservedToday = await Harness.Database.ScalarAsync<decimal>("""
            select coalesce(sum(reserved_credits), 0) from orchestrator.credit_charge
            where reserved_at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC'
            """);
        Assert.True(reservedToday <= 25, $"{reservedToday} credits reserved in one day under a Day cap of 25");
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held'"));
    }

    [Fact]
    public async Task APlan_ShowsTheDaysUseAndHoldsWhatPlanningWould_WhenThisInstancesClockIsAlreadyInTheNextDay()
    {
        var now = await SpendTodayThenStepIntoTomorrowAsync();

        var plan = await Harness.Get<PlanPreview>().PreviewAsync(Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0], Ct);

        // The database's day still holds the first run's 20 credits: planning would hold both new files, and so does the plan.
        var (cap, used) = Assert.Single(plan.Caps);
        Assert.Equal(20m, used);
        Assert.Equal(new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero), cap.Since);
        Assert.Equal((0, 2), (plan.Taken, plan.Held));
    }

    /// <summary>
    /// A run reserves two files' 20 credits today; then this instance's clock steps a minute into tomorrow while the
    /// database's stays today, and two more files arrive. Returns when the first run was over, by the real clock.
    /// </summary>
    private async Task<DateTimeOffset> SpendTodayThenStepIntoTomorrowAsync()
    {
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta");
        await RunAsync();
        var now = DateTimeOffset.UtcNow;
        clock.Offset = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero) - now + TimeSpan.FromMinutes(1);
        Harness.WriteFile("c.txt", "gamma");
        Harness.WriteFile("d.txt", "delta");
        return now;
    }

    private Task RunAsync() => Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
}
