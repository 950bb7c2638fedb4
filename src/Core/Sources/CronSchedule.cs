namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// A light syntactic check of a cron expression so a typo stops start-up with the key named;
/// the scheduler (Hangfire, via Cronos) parses it for real when the recurring job is registered.
/// </summary>
internal static class CronSchedule
{
    public static string? Validate(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return "is empty";
        }

        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is not (5 or 6))
        {
            return $"has {fields.Length} fields; expected 5 (minute hour day month weekday) or 6 (with seconds first)";
        }

        var allowed = "0123456789*/,-?LW#ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        var bad = fields.SelectMany(f => f).FirstOrDefault(c => !allowed.Contains(c, StringComparison.Ordinal));
        return bad == default ? null : $"contains '{bad}', which is not valid in a cron expression";
    }
}
