using System.Globalization;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// How long LlamaCloud keeps a file's remote artefacts after its result is stored by every sink:
/// <c>Off</c> (never deleted by us), <c>Immediately</c>, or a wait given as days (<c>7d</c>) or a
/// <see cref="TimeSpan"/> (<c>7.00:00:00</c>, <c>00:30:00</c>).
/// </summary>
internal readonly record struct Retention(TimeSpan? After)
{
    public static Retention Off => new(null);

    public bool IsOff => After is null;

    /// <summary>Reads a setting; null and empty mean "not set" (<paramref name="fallback"/>).</summary>
    public static bool TryParse(string? text, Retention fallback, out Retention retention)
    {
        retention = fallback;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var value = text.Trim();
        if (value.Equals("Off", StringComparison.OrdinalIgnoreCase))
        {
            retention = Off;
            return true;
        }

        if (value.Equals("Immediately", StringComparison.OrdinalIgnoreCase))
        {
            retention = new Retention(TimeSpan.Zero);
            return true;
        }

        if (value.EndsWith('d') && int.TryParse(value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days <= 3650)
        {
            retention = new Retention(TimeSpan.FromDays(days));
            return true;
        }

        if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var wait) && wait >= TimeSpan.Zero && wait <= TimeSpan.FromDays(3650))
        {
            retention = new Retention(wait);
            return true;
        }

        return false;
    }

    /// <summary>The problem with a setting, naming its key, or null when it is fine.</summary>
    public static string? Validate(string? text, string key) =>
        TryParse(text, Off, out _) ? null : $"{key}: '{text}' must be Off, Immediately, a number of days such as 7d, or a duration such as 7.00:00:00 (at most 10 years)";

    public override string ToString() => After switch
    {
        null => "Off",
        { Ticks: 0 } => "Immediately",
        { } wait => wait.ToString("c", CultureInfo.InvariantCulture),
    };
}
