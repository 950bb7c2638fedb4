using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Worker.IntegrationTests.Metrics;

/// <summary>The longest gap of a cron schedule (what the "source overdue" alert allows), and that every "needs a person" kind has words.</summary>
[Collection(ChildProcesses.Collection)]
public sealed class ScheduleIntervalFacts
{
    private static readonly DateTimeOffset Monday = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("* * * * *", 60)]
    [InlineData("*/15 * * * * *", 15)]
    [InlineData("0 2 * * *", 86_400)]
    [InlineData("0 2 * * 1-5", 3 * 86_400)] // Friday night to Monday night
    [InlineData("0 9,17 * * *", 16 * 3_600)]
    [InlineData("0 3 1 * *", 31 * 86_400)] // the longest month
    public void Longest_IsTheWidestGapBetweenTwoScheduledRuns(string cron, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), ScheduleInterval.Longest(cron, TimeZoneInfo.Utc, Monday));
    }

    [Fact]
    public void Longest_CountsTheDaylightSavingDayInTheSourcesTimeZone_AndIsNullForWhatCronosCannotRead()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

        // 02:00 local every day: the autumn night that repeats an hour is 25 hours long.
        Assert.Equal(TimeSpan.FromHours(25), ScheduleInterval.Longest("0 2 * * *", berlin, Monday));
        Assert.Null(ScheduleInterval.Longest("61 * * * *", TimeZoneInfo.Utc, Monday));
    }

    [Fact]
    public void EveryKindOfNeedsAPerson_HasItsSentenceAndLink()
    {
        Assert.Equal(AttentionQueries.Kinds.Order(StringComparer.Ordinal), AttentionCatalogue.Known.Order(StringComparer.Ordinal));
    }
}
