namespace BatchOrchestrator.TestSupport;

/// <summary>
/// Day and Month caps begin their windows at UTC midnight by the database's clock, which a test cannot move: a fact that
/// spends, then checks what the same day allows, would see a new window if midnight passed between the two. Such a fact
/// starts after midnight rather than within <c>needed</c> of it (a wait on the clock, at most <c>needed</c> long).
/// </summary>
public static class UtcMidnight
{
    public static async Task KeepClearAsync(TimeSpan needed)
    {
        var now = DateTimeOffset.UtcNow;
        var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        if (midnight - now < needed)
        {
            await Task.Delay(midnight - now + TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Whether settings configure a cap whose window is a calendar day or month.</summary>
    public static bool HasCalendarCap(IEnumerable<KeyValuePair<string, string?>> settings) =>
        settings.Any(s => s.Key.StartsWith("Costs:Caps:", StringComparison.OrdinalIgnoreCase)
            && s.Key.EndsWith(":Window", StringComparison.OrdinalIgnoreCase)
            && s.Value is not null
            && (s.Value.Equals("Day", StringComparison.OrdinalIgnoreCase) || s.Value.Equals("Month", StringComparison.OrdinalIgnoreCase)));
}
