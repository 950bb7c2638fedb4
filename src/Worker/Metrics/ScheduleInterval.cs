using Cronos;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>
/// The longest gap between two consecutive occurrences of a cron schedule: how long a source may
/// rightly go without a run (exported as <c>batchorchestrator_source_schedule_interval_seconds</c>, which
/// the "no successful run" alert adds its margin to). Parsed as Hangfire parses it (Cronos; 5 fields, or
/// 6 with seconds first), in the source's time zone, so daylight-saving days count as they fall.
/// </summary>
internal static class ScheduleInterval
{
    // A year and a day catches yearly and monthly gaps and a DST change; a cap keeps every-second schedules cheap
    // (their gaps repeat within the first few days anyway).
    private static readonly TimeSpan Window = TimeSpan.FromDays(366);
    private const int MaxOccurrences = 200_000;

    public static TimeSpan? Longest(string cron, TimeZoneInfo zone, DateTimeOffset from)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (!CronExpression.TryParse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard, out var expression))
        {
            return null;
        }

        TimeSpan longest = default;
        DateTimeOffset? previous = null;
        var count = 0;
        foreach (var occurrence in expression.GetOccurrences(from, from + Window, zone))
        {
            if (previous is { } p && occurrence - p > longest)
            {
                longest = occurrence - p;
            }

            previous = occurrence;
            if (++count >= MaxOccurrences)
            {
                break;
            }
        }

        // A schedule that fires at most once in the window (29 February, say): the window itself is the floor.
        return count < 2 ? Window : longest;
    }
}
