namespace BatchOrchestrator.Core.Tests.Costs;

public sealed class CapWindowsFacts
{
    [Fact]
    public void ADayAndAMonth_BeginAtLocalMidnight_InTheConfiguredZone()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var now = new DateTimeOffset(2026, 3, 31, 22, 30, 0, TimeSpan.Zero); // already 1 April, 00:30, in Berlin (summer time)

        Assert.Equal(new DateTimeOffset(2026, 3, 31, 22, 0, 0, TimeSpan.Zero), CapWindows.Start(CapWindow.Day, now, zone));
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 22, 0, 0, TimeSpan.Zero), CapWindows.Start(CapWindow.Month, now, zone));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), CapWindows.Start(CapWindow.Month, now, TimeZoneInfo.Utc));
        Assert.Null(CapWindows.Start(CapWindow.Run, now, zone));
    }

    [Fact]
    public void ADayAndAMonth_BeginAtTheFirstMidnight_WhereClocksGoBackFromOneToMidnight()
    {
        // Havana turns its clocks back from 01:00 CDT to 00:00 CST on 1 November 2026 (tzdata): midnight comes at
        // 04:00 UTC and again at 05:00 UTC. A reservation made at 04:30 UTC is in 1 November and must count there.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/Havana");
        var now = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero), CapWindows.Start(CapWindow.Day, now, zone));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero), CapWindows.Start(CapWindow.Month, now, zone));
    }
}
