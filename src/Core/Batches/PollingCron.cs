namespace BatchOrchestrator.Core.Batches;

/// <summary>Turns the poll interval into a cron expression a recurring job can use (seconds field when under a minute).</summary>
internal static class PollingCron
{
    public static string? FromInterval(TimeSpan interval)
    {
        if (interval.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return null;
        }

        var seconds = (int)interval.TotalSeconds;
        if (seconds is >= 1 and < 60)
        {
            return 60 % seconds == 0 ? $"*/{seconds} * * * * *" : null;
        }

        if (seconds % 60 != 0)
        {
            return null;
        }

        var minutes = seconds / 60;
        return minutes is >= 1 and < 60 && 60 % minutes == 0 ? $"*/{minutes} * * * *" : null;
    }
}
