using Cronos;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Checks a source's cron expression as the scheduler will read it, so a typo or a value out of range stops
/// start-up with the key named rather than as Hangfire's stack trace when the recurring job is registered.
/// Hangfire parses with Cronos (embedded in Hangfire.Core), five fields, or six with seconds first; so do we.
/// </summary>
internal static class CronSchedule
{
    private static readonly DateTime ReferenceDay = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static string? Validate(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return "is empty";
        }

        var fields = expression.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields is [['@', ..]])
        {
            // Cronos reads @daily and its kind, but Hangfire counts the fields before it hands the expression on.
            return "is a macro, which the scheduler does not read (it takes 5 or 6 fields): write @daily as 0 0 * * *, @hourly as 0 * * * *";
        }

        if (fields.Length is not (5 or 6))
        {
            return $"has {fields.Length} fields; expected 5 (minute hour day month weekday) or 6 (with seconds first)";
        }

        try
        {
            var parsed = CronExpression.Parse(expression, fields.Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);

            // Cronos reads a day that its months never have ("0 2 30 2 *", "0 2 31 4,6 *") without complaint, and Hangfire
            // registers it with no next run: the source would never run on its schedule, and nothing would say so. Cron has
            // no year field, so an expression that fires at all fires within a few years of any day (29 February included).
            return parsed.GetNextOccurrence(ReferenceDay) is null
                ? "never fires: no month it names has that day of the month (30 or 31 February, 31 April, ...)"
                : null;
        }
        catch (CronFormatException invalid)
        {
            // Cronos 0.13.0 opens every message with this sentence, then names the field and its range.
            const string Opening = "The given cron expression has an invalid format. ";
            var reason = invalid.Message.StartsWith(Opening, StringComparison.Ordinal) ? invalid.Message[Opening.Length..] : invalid.Message;
            return $"is not a valid cron expression: {reason}";
        }
    }
}
