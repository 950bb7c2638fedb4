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
}
